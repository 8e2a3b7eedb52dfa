"""SECURITY.md names the tests that hold each guarantee: every name must exist, so the
page cannot drift from the suite."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REF = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`")


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_test_security_md_names_exists() -> None:
    text = (REPO / "SECURITY.md").read_text(encoding="utf-8")
    current: Path | None = None
    named = []
    for m in REF.finditer(text):
        file, name = m.groups()
        if file:
            current = REPO / file
            assert current.is_file(), f"SECURITY.md names a missing file: {file}"
        if name:
            assert current is not None, f"::{name} follows no file"
            named.append((current, name))
    assert len(named) >= 30
    missing = [f"{p.relative_to(REPO)}::{n}" for p, n in named if n not in _functions(p)]
    assert missing == []
