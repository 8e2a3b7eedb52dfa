"""Workspace speed: load, analyze, and re-analyze after a one-section edit.

Run: .venv/bin/python bench/bench_workspace.py [N_SPECS]
Builds a synthetic workspace (N spec files × 10 units, @use chains, generated
outputs and a lock) in a temp dir, then prints milliseconds per operation.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from specls.outputs import OutputReader
from specls.service import SpecService
from specls.status import analyze
from specls.workspace import Workspace


def build(root: Path, n_specs: int) -> None:
    (root / "specls.toml").write_text('include = ["specs/**/*.spec.md"]\n')
    for s in range(n_specs):
        parts = [f"# Spec {s}\n"]
        for u in range(10):
            dep = f"[@use](spec{s - 1}.spec.md#u{u})" if s else ""
            parts.append(
                f"## Unit {u} {{#u{u}}}\n[@generate](../src/m{s}_{u}.py) {dep}\n\n"
                f"The unit {u} of spec {s} — ünïcödé.\n\n"
                f"```python file=../src/m{s}_{u}.py\ndef f() -> int:\n    return {u}\n```\n"
            )
        (root / "specs").mkdir(exist_ok=True)
        (root / "specs" / f"spec{s}.spec.md").write_text("".join(parts), encoding="utf-8")


def ms(t: float) -> str:
    return f"{(time.perf_counter() - t) * 1000:8.1f} ms"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, n)
        ws = Workspace.load(root)
        reader = OutputReader(ws.root)
        analysis = analyze(ws, reader)
        SpecService(ws, reader).regenerate(analysis, sorted(analysis.units))
        t = time.perf_counter()
        ws = Workspace.load(root)
        print(f"load {n} specs ({n * 10} units): {ms(t)}")
        reader = OutputReader(ws.root)
        t = time.perf_counter()
        analysis = analyze(ws, reader)
        print(f"analyze, cold (hash every output): {ms(t)}")
        t = time.perf_counter()
        analyze(ws, reader)
        print(f"analyze, warm (outputs cached):    {ms(t)}")
        rel = "specs/spec0.spec.md"
        text = (root / rel).read_text(encoding="utf-8").replace("The unit 3 ", "The unit 3! ")
        t = time.perf_counter()
        ws2 = ws.with_text(rel, text)
        print(f"with_text (one section re-parsed): {ms(t)}")
        t = time.perf_counter()
        a2 = analyze(ws2, reader)
        print(f"analyze after the edit, full:      {ms(t)}")
        t = time.perf_counter()
        analyze(ws2, reader, (ws, analysis))
        print(f"analyze after the edit, reusing:   {ms(t)}")
        stale = [r for r, u in a2.units.items() if u.status.value == "stale"]
        print(f"stale units after the edit: {len(stale)} (the chain through spec0#u3)")


if __name__ == "__main__":
    main()
