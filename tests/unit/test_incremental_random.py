"""Incremental analysis equals a full one, on random edit sequences.

A seeded generator edits a small multi-document workspace the way people do:
sections added, removed and renamed, `@use`/`@generate`/`@describe` and links
added or broken, requirement IDs defined twice or dropped, documents added,
deleted or made unreadable, outputs edited or deleted on disk, the lock
rewritten and reloaded. After every step the analysis that reuses the
previous one must equal an analysis from scratch: statuses, findings,
findings on output files, owners and orphans. Text is non-ASCII on purpose.

Two readers: a watched one (told of every disk change, as the server is)
and an unwatched one (the CLI's: every file it read is looked at again).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from specls.lock import LOCK_NAME, LockUnit
from specls.outputs import OutputReader
from specls.status import Analysis, analyze
from specls.workspace import Workspace

DOCS = ["specs/a.spec.md", "specs/b.spec.md", "specs/sub/c.spec.md", "specs/d.spec.md"]
OUTPUTS = ["src/x.py", "src/y.py", "src/z.py", "src/ü.py", ".git/config", "specs/a.spec.md"]
FILES = ["docs/policy.md", "docs/missing.md", "src/x.py"]
WORDS = ["Login", "Cart", "Über", "日本", "Emoji 😀", "Total", "Käse", "Flow"]


@dataclass
class Sec:
    title: str
    sid: str | None  # an explicit {#id}, else the slug
    lines: list[str] = field(default_factory=list)


@dataclass
class Doc:
    sections: list[Sec] = field(default_factory=list)
    unreadable: bool = False

    def text(self) -> str:
        out = ["# Title ünïcödé", "Preamble — 日本.", ""]
        for s in self.sections:
            out.append(f"## {s.title}" + (f" {{#{s.sid}}}" if s.sid else ""))
            out.extend(s.lines)
            out.append("")
        return "\n".join(out)


def rel_from(doc: str, target: str) -> str:
    """`target` (workspace-relative) as written in `doc`."""
    return os.path.relpath(target, os.path.dirname(doc)).replace(os.sep, "/")


class World:
    def __init__(self, root: Path, rng: random.Random, watched: bool) -> None:
        self.root = root
        self.rng = rng
        self.docs: dict[str, Doc] = {}
        self.reader = OutputReader(root.resolve(), watched=watched)
        self.tick = 1_700_000_000_000_000_000
        root.mkdir(parents=True, exist_ok=True)
        (root / "specls.toml").write_text(
            'include = ["specs/**/*.spec.md"]\ngenerator = "tangle"\n', encoding="utf-8"
        )
        self.write_file("docs/policy.md", "Policy — ünïcödé\n")
        for out in OUTPUTS[:4]:
            self.write_file(out, "def f():\n    return 1\n")
        for path in DOCS[:3]:
            self.docs[path] = Doc([self.new_section(path) for _ in range(rng.randint(2, 4))])
            self.write_doc(path)
        self.ws = Workspace.load(root)

    # --- disk ---------------------------------------------------------------------

    def write_file(self, rel: str, text: str | None) -> None:
        path = self.root / rel
        if text is None:
            if path.exists():
                path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            self.tick += 1_000_000  # a new mtime each write: stamps must differ
            os.utime(path, ns=(self.tick, self.tick))
        self.reader.forget(rel)

    def write_doc(self, path: str) -> None:
        doc = self.docs.get(path)
        if doc is None:
            self.write_file(path, None)
        elif doc.unreadable:
            self.write_file(path, None)
            (self.root / path).write_bytes(b"\xff\xfe bad utf-8 \xff")
            self.tick += 1_000_000
            os.utime(self.root / path, ns=(self.tick, self.tick))
        else:
            self.write_file(path, doc.text())

    # --- random pieces -------------------------------------------------------------

    def new_section(self, here: str = DOCS[0]) -> Sec:
        rng = self.rng
        title = f"{rng.choice(WORDS)} {rng.randint(0, 3)}"
        sid = rng.choice([None, f"s{rng.randint(0, 3)}", f"s{rng.randint(0, 3)}"])
        lines = [f"Prose {rng.choice(WORDS)} 😀."]
        lines.extend(self.directive_line(here) for _ in range(rng.randint(0, 3)))
        return Sec(title, sid, lines)

    def section_ids(self, path: str) -> list[str]:
        """The IDs the parser gave the document's sections (a wrong guess now and then)."""
        doc = self.ws.docs.get(path) if hasattr(self, "ws") else None
        ids = [s.id for s in doc.sections if s.id] if doc is not None else []
        return [*ids, "nope"] if self.rng.random() < 0.2 or not ids else ids

    def directive_line(self, here: str = DOCS[0]) -> str:
        rng = self.rng
        kind = rng.choice(
            ["use", "use", "generate", "generate", "describe", "link", "req", "req", "ref"]
        )
        if kind == "use":
            if rng.random() < 0.6:
                target = rng.choice(DOCS)
                frag = rng.choice([*self.section_ids(target), ""])
                written = rel_from(here, target) + (f"#{frag}" if frag else "")
                if rng.random() < 0.4:
                    written = f"#{rng.choice(self.section_ids(here))}"
            else:
                written = rel_from(here, rng.choice(FILES))
            return f"[@use]({written})"
        if kind == "generate":
            out = rng.choice(OUTPUTS)
            sym = "#f" if out.endswith(".py") and rng.random() < 0.3 else ""
            return f"[@generate]({rel_from(here, out)}{sym})"
        if kind == "describe":
            return f"[@describe]({rel_from(here, rng.choice(FILES))})"
        if kind == "link":
            target = rng.choice(DOCS)
            return f"See [there]({rel_from(here, target)}#{rng.choice(self.section_ids(target))})."
        if kind == "req":
            return f"- **FR-00{rng.randint(1, 4)}**: The system MUST work — ü."
        return f"(covers: FR-00{rng.randint(1, 5)})"

    # --- edits ----------------------------------------------------------------------

    def edit(self) -> str:
        """One random edit; returns what it did (for the failure message)."""
        rng = self.rng
        op = rng.choice(
            [
                "add_section",
                "remove_section",
                "rename",
                "add_line",
                "drop_line",
                "add_line",
                "doc",
                "output",
                "output",
                "lock",
                "lock",
                "same_text",
                "use_file",
            ]
        )
        path = rng.choice(DOCS)
        doc = self.docs.get(path)
        if op in ("add_section", "remove_section", "rename", "add_line", "drop_line") and (
            doc is None or doc.unreadable
        ):
            op = "doc"
        if op == "add_section":
            assert doc is not None
            doc.sections.insert(rng.randint(0, len(doc.sections)), self.new_section(path))
        elif op == "remove_section" and doc is not None and doc.sections:
            doc.sections.pop(rng.randrange(len(doc.sections)))
        elif op == "rename" and doc is not None and doc.sections:
            s = rng.choice(doc.sections)
            if rng.random() < 0.5:
                s.title = f"{rng.choice(WORDS)} {rng.randint(0, 3)}"
            else:
                s.sid = rng.choice([None, f"s{rng.randint(0, 4)}"])
        elif op == "add_line" and doc is not None and doc.sections:
            s = rng.choice(doc.sections)
            s.lines.insert(rng.randint(0, len(s.lines)), self.directive_line(path))
        elif op == "drop_line" and doc is not None and doc.sections:
            s = rng.choice(doc.sections)
            if s.lines:
                s.lines.pop(rng.randrange(len(s.lines)))
        elif op == "doc":
            if doc is None:
                self.docs[path] = Doc([self.new_section(path)])
            elif rng.random() < 0.3:
                doc.unreadable = not doc.unreadable
            else:
                del self.docs[path]
        elif op == "output":
            out = rng.choice(OUTPUTS[:4])
            choice = rng.random()
            text = None if choice < 0.15 else f"def f():\n    return {rng.randint(0, 3)}  # ü\n"
            self.write_file(out, text)
            self.ws = self.ws  # outputs are not specs: the workspace is the same
            return f"output {out} -> {text!r}"
        elif op == "use_file":
            if rng.random() < 0.5:
                self.write_file("docs/policy.md", f"Policy {rng.randint(0, 9)} — ü\n")
                return "use file edited"
            exists = (self.root / "docs/missing.md").exists()
            self.write_file("docs/missing.md", None if exists else "Now here — ü\n")
            return f"docs/missing.md {'deleted' if exists else 'created'}"
        elif op == "lock":
            self.rewrite_lock()
            self.ws = self.ws.with_lock_reloaded()
            return "lock rewritten"
        elif op == "same_text":
            if doc is not None and not doc.unreadable:
                self.ws = self.ws.with_text(path, doc.text())  # parsed again, same text
            return f"same text {path}"
        self.write_doc(path)
        if rng.random() < 0.5 and path in self.docs and not self.docs[path].unreadable:
            self.ws = self.ws.with_text(path, self.docs[path].text())  # as an editor buffer
        else:
            self.ws = self.ws.with_file(path)
        return f"{op} {path}"

    def rewrite_lock(self) -> None:
        """Stamp some units as they are now, forget others, keep a stale entry."""
        current = analyze(self.ws, OutputReader(self.ws.root))
        units: dict[str, object] = {}
        if self.ws.lock is not None:
            for ref, entry in self.ws.lock.units.items():
                if self.rng.random() < 0.7:
                    units[ref] = entry.model_dump()
        for ref, us in current.units.items():
            if self.rng.random() < 0.8:
                units[ref] = LockUnit(
                    spec=us.unit.spec_hash,
                    inputs=us.inputs_hash,
                    generator="tangle",
                    generated="2026-01-01T00:00:00Z",
                    outputs={o.key: o.current_hash or "sha256:0" for o in us.outputs},
                ).model_dump()
        if self.rng.random() < 0.3:
            units["specs/a.spec.md#gone"] = {
                "spec": "sha256:1",
                "inputs": "sha256:2",
                "generator": "tangle",
                "generated": "2026-01-01T00:00:00Z",
                "outputs": {"src/x.py": "sha256:3"},
            }
        data = json.dumps({"version": 1, "units": units}, indent=2, sort_keys=True)
        self.write_file(LOCK_NAME, data + "\n")


def summary(a: Analysis) -> tuple[object, ...]:
    return (a.units, list(a.units), a.findings, a.output_findings, a.owners, a.orphans)


@pytest.mark.parametrize("watched", [True, False], ids=["watched", "unwatched"])
@pytest.mark.parametrize("seed", range(12))
def test_incremental_equals_full_on_random_edits(tmp_path: Path, seed: int, watched: bool) -> None:
    rng = random.Random(seed)
    world = World(tmp_path, rng, watched)
    previous = (world.ws, analyze(world.ws, world.reader))
    assert summary(previous[1]) == summary(analyze(world.ws, OutputReader(world.ws.root)))
    done: list[str] = []
    for _ in range(40):
        done.append(world.edit())
        incremental = analyze(world.ws, world.reader, previous)
        full = analyze(world.ws, OutputReader(world.ws.root))
        for part, (got, want) in enumerate(zip(summary(incremental), summary(full), strict=True)):
            assert got == want, f"part {part} differs after: {done}"
        previous = (world.ws, incremental)


def test_random_edits_reach_every_kind_of_finding(tmp_path: Path) -> None:
    """The generator is worth its salt: over a few sequences it produces the
    findings an incremental analysis could get wrong."""
    codes: set[str] = set()
    statuses: set[str] = set()
    for seed in range(8):
        world = World(tmp_path / str(seed), random.Random(seed), True)
        for _ in range(60):
            world.edit()
            a = analyze(world.ws, world.reader)
            codes.update(f.code.value for f in a.findings)
            statuses.update(o.status.value for us in a.units.values() for o in us.outputs)
    for code in ("SPEC101", "SPEC102", "SPEC104", "SPEC110", "SPEC116", "SPEC119", "SPEC206"):
        assert code in codes, code
    assert {"fresh", "stale", "edited", "missing", "ungenerated", "conflict"} <= statuses
