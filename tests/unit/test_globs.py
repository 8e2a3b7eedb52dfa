"""The server's glob matcher against the case table the VS Code client's
matcher (client-vscode/src/globs.ts) is tested with too: both must read a
root's `include`/`exclude` (sent in `specls/status`) the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from specls.globs import any_match, glob_match

CASES = json.loads((Path(__file__).parent / "glob_cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [(c["pattern"], path, hit) for c in CASES for path, hit in c["paths"].items()],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_the_table_has_both_answers_for_every_kind_of_glob() -> None:
    hits = [hit for c in CASES for hit in c["paths"].values()]
    assert hits.count(True) >= 20 and hits.count(False) >= 20


def test_any_match() -> None:
    assert any_match(["specs/*/spec.md", "**/*.spec.md"], "a/b.spec.md")
    assert not any_match([], "a/b.spec.md")
