"""Document symbols: the section tree, with requirement IDs as children.

A section is a `Module` when it is a generation unit (it produces code) and
a `Namespace` otherwise; Spec Kit/Kiro/OpenSpec requirement IDs are
`Constant`s and task IDs `Key`s. The selection range is the heading text
(or the `{#id}` of an untitled heading) and the ID itself for requirements.
"""

from __future__ import annotations

import re

from lsprotocol import types

from specls.dialect import Requirement, RequirementKind, Section, SpecDocument
from specls.lsp.convert import to_range
from specls.lsp.snapshot import Snapshot
from specls.text import Range, split_lines, utf16_len

_ATX_OPEN = re.compile(r"^ {0,3}#{1,6}[ \t]*")
_LEAD = re.compile(r"^[\s>*+\-]*(?:\d+[.)]\s*)?(?:\[[ xX]\]\s*)?")


def requirement_detail(req: Requirement) -> str:
    """The requirement line without its list marker and ID: "The system MUST …"."""
    text = _LEAD.sub("", req.text.strip())
    head, sep, tail = text.partition(req.id)
    if sep and not head.strip("*_ "):
        text = tail.lstrip("*_:.) \t")
    return text[:79] + "…" if len(text) > 80 else text


def title_range(section: Section, lines: list[str]) -> Range:
    """Where the heading's title text sits (no `#` marks, no `{#id}`), UTF-16."""
    line_no = section.heading_range.start.line
    if section.level == 0 or line_no >= len(lines) or not section.title:
        return section.id_range or section.heading_range
    line = lines[line_no]
    m = _ATX_OPEN.match(line)
    start = line.find(section.title, m.end() if m else 0)
    if start < 0:
        return section.heading_range
    return Range.of(
        line_no,
        utf16_len(line[:start]),
        line_no,
        utf16_len(line[: start + len(section.title)]),
    )


def section_kind(section: Section) -> types.SymbolKind:
    return types.SymbolKind.Module if section.is_unit else types.SymbolKind.Namespace


def requirement_kind(req: Requirement) -> types.SymbolKind:
    return types.SymbolKind.Key if req.kind is RequirementKind.TASK else types.SymbolKind.Constant


def _requirement(req: Requirement) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=req.id,
        detail=requirement_detail(req),
        kind=requirement_kind(req),
        range=to_range(req.range),
        selection_range=to_range(req.range),
    )


def _own_requirements(section: Section) -> list[types.DocumentSymbol]:
    # OpenSpec's `### Requirement: name` and Kiro's `### Requirement 1` are the heading
    # itself: the section already stands for them.
    heading_line = section.heading_range.start.line if section.level else -1
    return [_requirement(r) for r in section.requirements if r.range.start.line != heading_line]


def _section(doc: SpecDocument, section: Section, lines: list[str]) -> types.DocumentSymbol:
    children = _own_requirements(section) + [
        _section(doc, doc.sections[i], lines) for i in section.children
    ]
    return types.DocumentSymbol(
        name=section.title or f"#{section.id}",
        detail=f"#{section.id}",
        kind=section_kind(section),
        range=to_range(section.range),
        selection_range=to_range(title_range(section, lines)),
        children=children or None,
    )


def symbols(doc: SpecDocument, text: str) -> list[types.DocumentSymbol]:
    lines = split_lines(text)
    preamble = doc.sections[0]
    top = [s for s in doc.sections[1:] if s.parent is None or doc.sections[s.parent].level == 0]
    return _own_requirements(preamble) + [_section(doc, s, lines) for s in top]


def run(snap: Snapshot, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    rel = snap.rel(params.text_document.uri)
    doc = snap.workspace.docs.get(rel) if rel else None
    if doc is None or rel is None:
        return []
    return symbols(doc, snap.text(rel) or "")
