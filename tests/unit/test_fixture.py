"""tests/fixture.py: the text fixtures every position-sensitive test relies on."""

from __future__ import annotations

import pytest
from fixture import fixture, pos16, range_from_str
from specls.text import Position, Range


def test_one_file_with_a_cursor_after_astral_characters() -> None:
    f = fixture(
        """
        # A
        😀中$0x
        """
    )
    assert f.files == {"doc.spec.md": "# A\n😀中x\n"}
    assert (f.path, f.offset, f.end_offset) == ("doc.spec.md", 6, None)
    assert f.pos == Position(1, 3)
    assert (f.cursor.line, f.cursor.character) == (1, 3)


def test_several_files_a_selection_and_an_escaped_marker() -> None:
    f = fixture(
        """
        //- specs/a.spec.md
        # A $0{#a}$0 costs \\$0
        //- src/a.py
        X = 1
        """
    )
    assert f.files == {"specs/a.spec.md": "# A {#a} costs $0\n", "src/a.py": "X = 1\n"}
    assert f.path == "specs/a.spec.md"
    assert f.range == range_from_str("0:4-0:8")
    sel = f.selection
    assert (sel.start.character, sel.end.character) == (4, 8)


def test_errors() -> None:
    with pytest.raises(ValueError, match="at most two"):
        fixture("$0a$0b$0")
    with pytest.raises(ValueError, match="no \\$0 marker"):
        _ = fixture("a").pos
    with pytest.raises(ValueError, match="both"):
        fixture("//- a\n$0\n//- b\n$0\n")


def test_helpers() -> None:
    assert pos16("a\r\n😀b", 5) == Position(1, 3)
    assert range_from_str("3:1-4:2") == Range(Position(3, 1), Position(4, 2))
    assert str(range_from_str("2:5")) == "2:5-2:5"
