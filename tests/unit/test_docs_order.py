"""Findings do not depend on the order edits reached the workspace: an editor session
and a fresh load of the same texts agree (found by the server fuzzer: which of two
duplicate definitions was "first" followed the order documents were last edited)."""

from __future__ import annotations

from pathlib import Path

from helpers import write_tree
from specls.outputs import OutputReader
from specls.status import analyze
from specls.workspace import Workspace

A = "# A\n\n- **FR-009**: one.\n"
B = "# B\n\n- **FR-009**: two.\n\n(covers: FR-009)\n"


def _findings(ws: Workspace) -> list[tuple[str, str, int]]:
    a = analyze(ws, OutputReader(ws.root))
    return sorted((f.code.value, f.path, f.range.start.line) for f in a.findings)


def test_an_edit_does_not_change_which_duplicate_is_first(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specs/a.spec.md": A, "specs/b.spec.md": B})
    ws = Workspace.load(tmp_path)
    fresh = _findings(ws)
    assert any(code == "SPEC110" for code, _, _ in fresh)
    edited = ws.with_text("specs/a.spec.md", A)  # the same text, re-parsed: moved last?
    edited = edited.with_file("specs/a.spec.md")
    assert list(edited.docs) == list(ws.docs)
    assert _findings(edited) == fresh
