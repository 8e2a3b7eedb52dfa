"""Requirement IDs and section references written in code comments.

`# FR-003` or `// covers: specs/auth.spec.md#login` in a test or a source file
is a trace from that code to the spec, as a task's `_Requirements: 1.1_` is.
Only comments count (found with tree-sitter, so an ID in a string or a
name is not a trace); the patterns are configurable (`[trace] patterns`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from specls.code.languages import parser_for
from specls.code.symbols import _parse_within_budget
from specls.layouts.speckit import REQUIREMENT_ID, TASK_ID
from specls.text import Range, utf16_len

if TYPE_CHECKING:
    from tree_sitter import TreeCursor

# A match is a trace; with a `refs` group, each item of that list is one.
DEFAULT_PATTERNS: tuple[str, ...] = (
    r"\b" + REQUIREMENT_ID + r"\b",  # Spec Kit IDs are distinctive anywhere in a comment
    r"(?i:(?<![a-z])(?:covers|implements|tests|verifies|requirements?|refs)\b)\s*:\s*(?P<refs>.+)",
    r"(?<![\w./-])[\w./-]*[\w-]\.md#[\w.-]*\w",  # a section reference: doc.md#id
)
_ITEM = re.compile(
    REQUIREMENT_ID
    + "|"
    + TASK_ID
    + r"|\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?(?![\d.])|[\w./-]*\.md#[\w.-]*\w"
)
_COMMENT_TYPES: dict[str, frozenset[str]] = {
    "python": frozenset({"comment"}),
    "typescript": frozenset({"comment"}),
    "tsx": frozenset({"comment"}),
    "javascript": frozenset({"comment"}),
    "go": frozenset({"comment"}),
    "rust": frozenset({"line_comment", "block_comment"}),
    "java": frozenset({"line_comment", "block_comment"}),
}


@dataclass(frozen=True, slots=True)
class CommentTrace:
    token: str  # "FR-003", "1.1", "specs/auth.spec.md#login", as written
    range: Range  # UTF-16, in the code file
    comment: str  # the comment's first line, for display


def compile_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _tokens(patterns: tuple[re.Pattern[str], ...], text: str) -> list[tuple[int, str]]:
    """(offset, token) for every trace in a comment's text, each position once."""
    found: dict[int, str] = {}
    for pattern in patterns:
        for m in pattern.finditer(text):
            if "refs" in pattern.groupindex and m.group("refs") is not None:
                base = m.start("refs")
                for item in _ITEM.finditer(m.group("refs")):
                    found.setdefault(base + item.start(), item.group(0))
            else:
                found.setdefault(m.start(), m.group(0))
    return sorted(found.items())


@functools.lru_cache(maxsize=256)
def comment_traces(
    text: str, language: str, patterns: tuple[str, ...] = DEFAULT_PATTERNS
) -> tuple[CommentTrace, ...]:
    """Every trace in the comments of `text` (a file in `language`)."""
    compiled = compile_patterns(patterns)
    if not any(p.search(text) for p in compiled):
        return ()  # most files: no parse at all
    kinds = _COMMENT_TYPES.get(language)
    if kinds is None:
        return ()
    data = text.encode("utf-8", "surrogatepass")
    tree = _parse_within_budget(parser_for(language), data)
    if tree is None:
        return ()
    lines = data.split(b"\n")
    out: list[CommentTrace] = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        if node is not None and node.type in kinds:
            row, col = node.start_point
            body = data[node.start_byte : node.end_byte].decode("utf-8", "replace")
            prefix = utf16_len(lines[row][:col].decode("utf-8", "replace"))
            body_lines = body.split("\n")
            starts = [0]
            for line in body_lines[:-1]:
                starts.append(starts[-1] + len(line) + 1)
            for offset, token in _tokens(compiled, body):
                k = max(i for i, s in enumerate(starts) if s <= offset)
                before = body_lines[k][: offset - starts[k]]
                char = utf16_len(before) + (prefix if k == 0 else 0)
                out.append(
                    CommentTrace(
                        token,
                        Range.of(row + k, char, row + k, char + utf16_len(token)),
                        body_lines[0].strip(),
                    )
                )
            if not cursor.goto_next_sibling() and not _up_and_next(cursor):
                break
            continue
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        if not _up_and_next(cursor):
            break
    return tuple(out)


def _up_and_next(cursor: TreeCursor) -> bool:
    """Climb until a next sibling exists (False at the root)."""
    while cursor.goto_parent():
        if cursor.goto_next_sibling():
            return True
    return False
