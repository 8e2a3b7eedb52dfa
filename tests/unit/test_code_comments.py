"""`comment_traces`: requirement IDs and section references in code comments
(tree-sitter comment nodes), with UTF-16 positions."""

from __future__ import annotations

import pytest
from specls.code.comments import comment_traces


def found(text: str, language: str) -> list[tuple[str, str]]:
    return [(t.token, str(t.range)) for t in comment_traces(text, language)]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("python", 'X = "FR-001"  # 😀 covers: FR-002, specs/a.spec.md#b-c\n'),
        ("typescript", 'const x = "FR-001"; // 😀 covers: FR-002, specs/a.spec.md#b-c\n'),
        ("tsx", "const x = <p>FR-001</p>; // 😀 covers: FR-002, specs/a.spec.md#b-c\n"),
        ("javascript", "let x = `FR-001`; /* 😀 covers: FR-002, specs/a.spec.md#b-c */\n"),
        ("go", 'var x = "FR-001" // 😀 covers: FR-002, specs/a.spec.md#b-c\n'),
        ("rust", 'let x = "FR-001"; // 😀 covers: FR-002, specs/a.spec.md#b-c\n'),
        ("java", 'String x = "FR-001"; // 😀 covers: FR-002, specs/a.spec.md#b-c\n'),
    ],
)
def test_only_comments_count_and_columns_are_utf16(language: str, text: str) -> None:
    col = text.index("😀") + 2 + len(" covers: ")  # the emoji is two UTF-16 units
    assert found(text, language) == [
        ("FR-002", f"0:{col}-0:{col + 6}"),
        ("specs/a.spec.md#b-c", f"0:{col + 8}-0:{col + 27}"),
    ]


def test_keyword_lists_take_kiro_ids_ranges_and_tasks_but_bare_numbers_do_not() -> None:
    text = "# version 1.2 of the API\n# _Requirements: 1.1, 2.3-2.5_\n# Implements: T012\n"
    assert found(text, "python") == [
        ("1.1", "1:17-1:20"),
        ("2.3-2.5", "1:22-1:29"),
        ("T012", "2:14-2:18"),
    ]


def test_block_comments_give_each_line_its_own_position() -> None:
    text = "/*\n * ünï\n *   FR-010 and\n *  see specs/x.spec.md#y\n */\nfunc A() {}\n"
    assert found("package a\n" + text, "go") == [
        ("FR-010", "3:5-3:11"),
        ("specs/x.spec.md#y", "4:8-4:25"),
    ]


def test_a_file_without_any_candidate_is_not_parsed() -> None:
    assert comment_traces("# nothing here\n" * 1000, "python") == ()
    assert comment_traces("# FR-001\n", "cobol") == ()
