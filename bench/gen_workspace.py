"""Generate a synthetic, seeded specls workspace for the benchmark.

Run: .venv/bin/python bench/gen_workspace.py DIR [--size small|large] [--seed N]

small: 50 specs × 10 units plus a 500-line spec; large: 1,000 specs × 10
units (10,000 units, 10,000 outputs) plus one 5,000-line spec. Specs look
like real ones: a front matter, an intro, units with `@generate` (whole files
and single functions), `@use` edges to the foundation specs of a package (no
cycles, closures of tens of units), Spec Kit requirement IDs, non-ASCII prose
and prose-only subsections with no directive.

The outputs are written and then stamped by specls itself (`specls stamp
--all`), so `spec.lock` is what a team would commit; then a seeded few are
disturbed (an edited output, a spec section changed, a deleted output) so
that most outputs are fresh and every status path is exercised.
The same seed and size always give byte-identical files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

SIZES = {"small": (50, 40), "large": (1000, 385)}  # (specs, sections of the big spec)
UNITS_PER_SPEC = 10
SPECS_PER_DIR = 50
FOUNDATIONS = 2  # the first specs of each directory, used by the others
BIG = "specs/big.spec.md"


@dataclass(frozen=True)
class Layout:
    """Where the benchmark finds things in a generated workspace."""

    root: Path
    specs: int
    big_sections: int

    @property
    def big(self) -> Path:
        return self.root / BIG

    def spec_rel(self, s: int) -> str:
        return f"specs/d{s // SPECS_PER_DIR:02d}/spec{s:04d}.spec.md"


def _spec_text(s: int, n_specs: int, rng: random.Random) -> tuple[str, dict[str, str]]:
    """One spec's text and the outputs its units generate (path → content)."""
    d = s // SPECS_PER_DIR
    n_dirs = (n_specs - 1) // SPECS_PER_DIR + 1
    src = f"../../src/d{d:02d}"
    outputs: dict[str, str] = {}
    shared = f"src/d{d:02d}/shared{s:04d}.py"
    shared_funcs: list[str] = []
    parts = [
        "---\ngenerator: tangle\n---\n",
        f"# Component {s} — ünïcödé 日本\n\n",
        f"This spec describes component {s}. It is generated for the benchmark and reads\n"
        "like a real one: prose, a few links to [docs](https://example.com/docs), and\n"
        "`inline code`.\n\n",
    ]
    for u in range(UNITS_PER_SPEC):
        uses = []
        if s % SPECS_PER_DIR >= FOUNDATIONS:
            # Layered like a real project: a component uses a few units of its own
            # package's foundation specs, sometimes another package's; foundation
            # specs use only their own sections. Closures stay small (tens of units).
            for _ in range(rng.randint(0, 2)):
                t = (d if rng.random() < 0.8 else rng.randrange(n_dirs)) * SPECS_PER_DIR
                t += rng.randrange(FOUNDATIONS)
                uses.append(
                    f"[@use](../d{t // SPECS_PER_DIR:02d}/spec{t:04d}.spec.md#u{rng.randrange(10)})"
                )
        if u > 0 and rng.random() < 0.5:
            uses.append(f"[@use](#u{u - 1})")
        symbol_unit = u == UNITS_PER_SPEC - 1
        req = s * UNITS_PER_SPEC + u + 1  # requirement IDs are unique workspace-wide
        if symbol_unit:
            target = f"{src}/shared{s:04d}.py#f{u}"
            key = shared
        else:
            target = f"{src}/m{s:04d}_{u}.py"
            key = f"src/d{d:02d}/m{s:04d}_{u}.py"
        body = f"def f{u}(x: int) -> int:\n    return x * {s} + {u}\n"
        if symbol_unit:
            shared_funcs.append(body)
        else:
            outputs[key] = f'"""Generated from spec{s:04d}#u{u}."""\n\n\n' + body
        parts.append(
            f"## Unit {u} of component {s} {{#u{u}}}\n"
            f"[@generate]({target}) {' '.join(uses)}\n\n"
            f"WHEN a caller passes x THE SYSTEM SHALL return x × {s} + {u} — ünïcödé 😀\n"
            f"(covers: FR-{req:05d}).\n\n"
            f"- **FR-{req:05d}**: The component MUST compute unit {u}.\n\n"
            f"```python file={target}\n{body}```\n\n"
            f"### Rationale {u}\n\n"
            "Prose only: no directive and no link here, as in most sections of a\n"
            "real spec. It explains why the unit exists and what it trades off.\n\n"
        )
    outputs[shared] = (
        '"""Hand-written module; one function in it is generated."""\n\n\n'
        "def helper() -> int:\n    return 1\n\n\n" + "\n\n".join(shared_funcs)
    )
    return "".join(parts), outputs


def _big_spec(sections: int) -> tuple[str, dict[str, str]]:
    """The one long spec (13 lines a section): a chain of units in one file."""
    parts = ["---\ngenerator: tangle\n---\n# Big spec 🛒\n"]
    outputs: dict[str, str] = {}
    for i in range(sections):
        body = f"def f{i}(x: int) -> int:\n    return x + {i}\n"
        outputs[f"src/big/mod{i}.py"] = body
        parts.append(
            f"## Section {i} {{#s{i}}}\n"
            f"[@generate](../src/big/mod{i}.py) [@use](#s{max(i - 1, 0)})\n\n"
            f"WHEN a user does thing {i} THE SYSTEM SHALL respond — ünïcödé 日本"
            f" (covers: FR-{i:03d}).\n"
            f"- **FR-{i:03d}**: The system MUST do {i}.\n\n"
            f"```python file=../src/big/mod{i}.py\n{body}```\n\n"
            "Some more prose with a [link](https://example.com) and `code`.\n"
            "And a second paragraph line.\n"
        )
    return "".join(parts), outputs


def generate(root: Path, size: str = "small", seed: int = 1) -> Layout:
    """Write the workspace under `root` (replaced if it exists) and stamp it."""
    from specls.cli import main as specls_main

    n_specs, big_sections = SIZES[size]
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    layout = Layout(root, n_specs, big_sections)
    (root / "specls.toml").write_text(
        '# Generated by bench/gen_workspace.py\ninclude = ["specs/**/*.spec.md"]\n'
        'generator = "tangle"\n',
        encoding="utf-8",
    )
    files: dict[str, str] = {}
    for s in range(n_specs):
        text, outputs = _spec_text(s, n_specs, rng)
        files[layout.spec_rel(s)] = text
        files.update(outputs)
    text, outputs = _big_spec(big_sections)
    files[BIG] = text
    files.update(outputs)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        code = specls_main(["stamp", "--all", "--root", str(root)])
    if code != 0:
        raise SystemExit(f"specls stamp --all failed with exit code {code}")
    # A few disturbances so that not every output is fresh (never in the big spec,
    # whose diagnostics the keystroke benchmark toggles).
    for s in rng.sample(range(n_specs), max(1, n_specs // 50)):  # edited outputs
        out = root / f"src/d{s // SPECS_PER_DIR:02d}/m{s:04d}_0.py"
        out.write_text(out.read_text(encoding="utf-8") + "# patched by hand\n", encoding="utf-8")
    # Stale sections near the end, so the staleness they spread through `@use` stays small.
    for s in rng.sample(range(n_specs - 10, n_specs), max(1, n_specs // 200)):
        spec = root / layout.spec_rel(s)
        spec.write_text(
            spec.read_text(encoding="utf-8").replace("x × ", "x times ", 1), encoding="utf-8"
        )
    for s in rng.sample(range(n_specs), max(1, n_specs // 200)):  # missing outputs
        (root / f"src/d{s // SPECS_PER_DIR:02d}/m{s:04d}_1.py").unlink(missing_ok=True)
    return layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    layout = generate(args.dir, args.size, args.seed)
    print(f"wrote {layout.specs + 1} specs to {layout.root}")


if __name__ == "__main__":
    main()
