"""A source change: text edits per file, as plain data.

Rename and the code actions return one; the host turns it into its own
edit form (a versioned `WorkspaceEdit`, a write to disk).
"""

from __future__ import annotations

from specls.text import LineIndex, Range

Edit = tuple[Range, str]  # replace this range (UTF-16) with this text
SourceChange = dict[str, list[Edit]]  # workspace-relative path → edits, sorted by position


def sorted_change(by_file: SourceChange) -> SourceChange:
    """Files in path order, each file's edits in position order."""
    return {
        rel: sorted(by_file[rel], key=lambda e: (e[0].start, e[0].end)) for rel in sorted(by_file)
    }


def apply_edits(text: str, edits: list[Edit]) -> str:
    """`text` with non-overlapping `edits` applied (what an editor would do)."""
    index = LineIndex(text)
    spans = sorted(
        ((index.offset(r.start), index.offset(r.end), new) for r, new in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
