"""Folding ranges: each section from its heading to its last non-blank line,
fenced code blocks from the opening to the closing fence, the front matter.
Whole lines only, so clients with `lineFoldingOnly` (Neovim, VS Code) take
them as they are."""

from __future__ import annotations

from specls.dialect import SpecDocument


def folding_ranges(doc: SpecDocument) -> list[tuple[int, int]]:
    """(first line, last line) pairs, outer before inner, none of a single line."""
    ranges: set[tuple[int, int]] = set()
    if doc.front_matter_range is not None:
        ranges.add((doc.front_matter_range.start.line, doc.front_matter_range.end.line))
    for section in doc.sections:
        if section.level > 0:
            ranges.add((section.heading_range.start.line, section.range.end.line))
        for block in section.code_blocks:
            ranges.add((block.range.start.line, block.range.end.line))
    return [(s, e) for s, e in sorted(ranges, key=lambda r: (r[0], -r[1])) if e > s]
