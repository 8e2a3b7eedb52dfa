"""Helpers shared by the core and CLI tests: temp workspaces, analysis, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

from specls.findings import Code, Finding
from specls.outputs import OutputReader
from specls.regen.engine import Plan
from specls.service import SpecService
from specls.status import Analysis, analyze
from specls.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "shop"


def dedent(text: str) -> str:
    text = textwrap.dedent(text)
    return text[1:] if text.startswith("\n") else text


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (relative path → text, dedented, or bytes) under `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(dedent(content).encode("utf-8"))
    return root


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative POSIX path → bytes), for byte-identity checks.

    The parse cache (`.specls/cache/`) is left out: it is derived data any load may add.
    """
    out: dict[str, bytes] = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if not rel.startswith(".specls/cache/"):
                out[rel] = path.read_bytes()
    return out


def load(root: Path) -> tuple[Workspace, OutputReader, Analysis]:
    ws = Workspace.load(root)
    reader = OutputReader(ws.root)
    return ws, reader, analyze(ws, reader)


def analysis(root: Path) -> Analysis:
    return load(root)[2]


def regen(root: Path, refs: Iterable[str] | None = None, *, force: bool = False) -> Plan:
    """Plan and apply a regeneration through the API (every unit when `refs` is None)."""
    service = SpecService.open(root)
    a = service.analyze()
    wanted = sorted(a.units) if refs is None else list(refs)
    return service.regenerate(a, wanted, force=force).plan


def statuses(a: Analysis) -> dict[str, str]:
    """Output key → status value, over every unit."""
    return {o.key: o.status.value for us in a.units.values() for o in us.outputs}


def unit_statuses(a: Analysis) -> dict[str, str]:
    return {ref: us.status.value for ref, us in a.units.items()}


def of_code(a: Analysis, code: Code) -> list[Finding]:
    return [f for f in a.findings if f.code is code]


def rows(findings: Iterable[Finding]) -> list[tuple[str, str, str, str]]:
    """(code, severity, path, "l:c-l:c") per finding: compact and exact."""
    return [(f.code.value, f.severity.value, f.path, str(f.range)) for f in findings]


def copy_example(dest: Path) -> Path:
    """A private copy of examples/shop (tests never touch the original)."""
    target = dest / "shop"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".specls", "__pycache__"))
    return target


def run_specls(
    *args: str, cwd: Path, timeout: float = 60, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m specls ARGS` in `cwd`; fails the test on any traceback in stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "specls", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first `old` in a file of `root` (which must contain it)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
