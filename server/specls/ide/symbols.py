"""Document symbols (the section tree) and workspace symbols (fuzzy-matched).

A section is a `MODULE` when it is a generation unit (it produces code) and
a `NAMESPACE` otherwise; Spec Kit/Kiro/OpenSpec requirement IDs are
`CONSTANT`s and task IDs `KEY`s. The selection range is the heading text
(or the `{#id}` of an untitled heading) and the ID itself for requirements.

The workspace query matches when its characters appear in order in a
symbol's name or ID (case-insensitive), like VS Code's quick open; matches
at word starts and runs of consecutive characters score higher, and shorter
names win ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from specls.dialect import Requirement, RequirementKind, Section, SpecDocument
from specls.ide.index import index_for
from specls.text import Range, split_lines, utf16_len
from specls.workspace import Workspace

LIMIT = 256
_SEPARATORS = " -_./:#"
_ATX_OPEN = re.compile(r"^ {0,3}#{1,6}[ \t]*")
_LEAD = re.compile(r"^[\s>*+\-]*(?:\d+[.)]\s*)?(?:\[[ xX]\]\s*)?")


class SymbolKind(StrEnum):
    MODULE = "module"  # a generation unit
    NAMESPACE = "namespace"  # any other section
    CONSTANT = "constant"  # a requirement ID
    KEY = "key"  # a task ID
    STORY = "story"  # a user story (Spec Kit's `### User Story 1 - …`)


@dataclass(frozen=True, slots=True)
class DocumentSymbol:
    name: str
    detail: str
    kind: SymbolKind
    range: Range
    selection_range: Range
    children: tuple[DocumentSymbol, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkspaceSymbol:
    name: str
    kind: SymbolKind
    container: str
    rel: str
    range: Range
    score: int


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


def section_kind(section: Section) -> SymbolKind:
    return SymbolKind.MODULE if section.is_unit else SymbolKind.NAMESPACE


def requirement_kind(req: Requirement) -> SymbolKind:
    if req.kind is RequirementKind.STORY:
        return SymbolKind.STORY
    return SymbolKind.KEY if req.kind is RequirementKind.TASK else SymbolKind.CONSTANT


# --- document symbols -------------------------------------------------------------------


def _requirement(req: Requirement) -> DocumentSymbol:
    return DocumentSymbol(
        req.id, requirement_detail(req), requirement_kind(req), req.range, req.range
    )


def _own_requirements(section: Section) -> list[DocumentSymbol]:
    """The section's requirements and tasks; a Kiro sub-task `3.2` nests under task `3`.

    OpenSpec's `### Requirement: name`, Kiro's `### Requirement 1` and a
    user story are the heading itself: the section already stands for them.
    """
    heading_line = section.heading_range.start.line if section.level else -1
    top: list[DocumentSymbol] = []
    nested: dict[str, list[DocumentSymbol]] = {}
    parents: dict[str, int] = {}
    for r in section.requirements:
        if r.range.start.line == heading_line:
            continue
        parent = r.id.rpartition(".")[0] if r.kind is RequirementKind.TASK else ""
        if parent in parents:
            nested.setdefault(parent, []).append(_requirement(r))
            continue
        if r.kind is RequirementKind.TASK and r.id[:1].isdigit():
            parents[r.id] = len(top)
        top.append(_requirement(r))
    for rid, i in parents.items():
        if rid in nested:
            sym = top[i]
            top[i] = DocumentSymbol(
                sym.name, sym.detail, sym.kind, sym.range, sym.selection_range, tuple(nested[rid])
            )
    return top


def _heading_requirement(section: Section) -> Requirement | None:
    heading_line = section.heading_range.start.line if section.level else -1
    return next((r for r in section.requirements if r.range.start.line == heading_line), None)


def _section(doc: SpecDocument, section: Section, lines: list[str]) -> DocumentSymbol:
    children = _own_requirements(section) + [
        _section(doc, doc.sections[i], lines) for i in section.children
    ]
    story = _heading_requirement(section)
    is_story = story is not None and story.kind is RequirementKind.STORY
    return DocumentSymbol(
        name=section.title or f"#{section.id}",
        detail=f"{story.id} · #{section.id}"
        if story is not None and is_story
        else f"#{section.id}",
        kind=SymbolKind.STORY if is_story else section_kind(section),
        range=section.range,
        selection_range=title_range(section, lines),
        children=tuple(children),
    )


def document_symbols(doc: SpecDocument, text: str) -> list[DocumentSymbol]:
    """The section tree of a spec, requirement IDs as children of their section."""
    lines = split_lines(text)
    preamble = doc.sections[0]
    top = [s for s in doc.sections[1:] if s.parent is None or doc.sections[s.parent].level == 0]
    return _own_requirements(preamble) + [_section(doc, s, lines) for s in top]


# --- workspace symbols ------------------------------------------------------------------


def fuzzy_score(query: str, candidate: str) -> int | None:
    """A score when `query` is a subsequence of `candidate` (ignoring case), else None."""
    if not query:
        return 0
    q, c = query.lower(), candidate.lower()
    score = 0
    pos = 0
    previous = -2
    for ch in q:
        if ch == " ":
            continue
        found = c.find(ch, pos)
        if found < 0:
            return None
        if found == previous + 1:
            score += 5  # a run of consecutive characters
        if (
            found == 0
            or c[found - 1] in _SEPARATORS
            or (candidate[found].isupper() and not candidate[found - 1].isupper())
        ):
            score += 10  # the start of a word
        score -= min(found - pos, 5)  # skipped characters cost a little
        previous = found
        pos = found + 1
    if c.startswith(q):
        score += 20
    if c == q:
        score += 50
    return score * 100 - len(candidate)


def _best(query: str, *names: str) -> int | None:
    scores = [s for n in names if n and (s := fuzzy_score(query, n)) is not None]
    return max(scores) if scores else None


def workspace_symbols(ws: Workspace, query: str) -> list[WorkspaceSymbol]:
    """Every section and requirement ID that matches `query`, unsorted (with its score).

    From the workspace's index: a document none of whose names can match is
    skipped without scoring (`Index.symbol_candidates`).
    """
    found = []
    for doc, item in index_for(ws).symbol_candidates(query):
        score = _best(query, *item.names)
        if score is None:
            continue
        section, req = item.section, item.requirement
        if req is None:
            found.append(
                WorkspaceSymbol(
                    name=section.title or f"#{section.id}",
                    kind=section_kind(section),
                    container=f"{doc.path}#{section.id}",
                    rel=doc.path,
                    range=section.heading_range,
                    score=score,
                )
            )
        else:
            detail = requirement_detail(req)
            found.append(
                WorkspaceSymbol(
                    name=req.id,
                    kind=requirement_kind(req),
                    container=f"{doc.path} · {detail}" if detail else doc.path,
                    rel=doc.path,
                    range=req.range,
                    score=score,
                )
            )
    return found


def rank(sym: WorkspaceSymbol) -> tuple[int, str, str]:
    """Sort key over the matches of one root or several: best first, then by name."""
    return (-sym.score, sym.name, sym.container)
