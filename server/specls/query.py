"""Position lookups over a parsed document and an analysis (pure, no LSP).

The LSP features ask "what is under the cursor?" and "who owns this output?";
the answers live here so every feature (and the tests) share them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from specls.dialect import Directive, DirectiveKind, Marker, Requirement, Section, SpecDocument
from specls.layouts import layout_for, layout_of
from specls.layouts.base import EVERY
from specls.status import Analysis, OutputStatus, UnitStatus
from specls.text import Position, Range
from specls.workspace import Workspace, resolve_path


@dataclass(frozen=True, slots=True)
class Hit:
    """What is under a position in a spec: at most one of the fields is set."""

    section: Section
    directive: Directive | None = None
    heading: bool = False
    requirement: Requirement | None = None
    requirement_ref: Marker | None = None
    path_ref: Marker | None = None


def hit_at(doc: SpecDocument, pos: Position) -> Hit:
    section = doc.section_at(pos.line)
    for d in section.directives:
        if d.range.contains(pos):
            return Hit(section, directive=d)
    for r in section.requirements:
        if r.range.contains(pos):
            return Hit(section, requirement=r)
    for m in section.requirement_refs:
        if m.range.contains(pos):
            return Hit(section, requirement_ref=m)
    for m in section.path_refs:
        if m.range.contains(pos):
            return Hit(section, path_ref=m)
    if section.level > 0 and section.heading_range.contains(pos):
        return Hit(section, heading=True)
    return Hit(section)


def unit_for_section(doc: SpecDocument, section: Section, analysis: Analysis) -> UnitStatus | None:
    """The generation unit a section belongs to (itself or its nearest unit ancestor)."""
    current: Section | None = section
    while current is not None:
        if current.is_unit:
            ref = f"{doc.path}#{current.id}" if current.id else doc.path
            return analysis.units.get(ref)
        current = doc.sections[current.parent] if current.parent is not None else None
    return None


def owners_at(
    analysis: Analysis, rel: str, pos: Position | None
) -> list[tuple[UnitStatus, OutputStatus]]:
    """The units (and outputs) that generated `rel`, the symbol under `pos` first."""
    found: list[tuple[UnitStatus, OutputStatus]] = []
    for ref, key in analysis.owners.get(rel, []):
        us = analysis.units.get(ref)
        if us is None:
            continue
        for o in us.outputs:
            if o.key == key:
                found.append((us, o))
    if pos is None:
        return found

    def rank(item: tuple[UnitStatus, OutputStatus]) -> int:
        r = item[1].symbol_range
        if r is not None and r.contains(pos):
            return 0
        return 1 if item[1].output.symbol is None else 2

    found.sort(key=rank)
    if found and found[0][1].output.symbol and rank(found[0]) != 0:
        whole = [f for f in found if f[1].output.symbol is None]
        return whole or found
    return found


# --- navigation lookups (definition, references, hover, links) --------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """A construct found in a spec document: its document, section and range."""

    doc: SpecDocument
    section: Section
    range: Range
    text: str = ""  # the requirement line, the marker text, …


def directive_file(doc_path: str, directive: Directive) -> str | None:
    """Workspace-relative path a directive names (None for `#id` or outside the root)."""
    return resolve_path(doc_path, directive.path) if directive.path else None


def requirement_scope(doc_path: str, ws: Workspace | None = None) -> str:
    """The scope IDs defined or written in `doc_path` belong to, as its layout scopes them.

    With `ws`, the layout the document was scanned with (or the workspace's
    globs give it); without, the one the default globs give the path.
    """
    doc = ws.docs.get(doc_path) if ws is not None else None
    if doc is not None:
        return layout_of(doc).scope(doc_path)
    return layout_for(doc_path, ws.config if ws is not None else None).scope(doc_path)


def _scope(doc: SpecDocument) -> str:
    return layout_of(doc).scope(doc.path)


def _all_requirements(ws: Workspace, rid: str) -> list[Place]:
    """Every definition a reference can name `rid` by (not a Kiro task's number)."""
    return [
        Place(doc, s, r.range, r.text)
        for doc in sorted(ws.docs.values(), key=lambda d: d.path)
        for s in doc.sections
        for r in s.requirements
        if r.id == rid and layout_of(doc).referable(r)
    ]


def requirement_statement(rid: str, line: str) -> str:
    """A requirement's statement without its list marker, checkbox and ID."""
    text = re.sub(r"^\s*(?:#+|[-*+])?\s*(?:\[[ xX]\]\s*)?", "", line)
    last = re.escape(rid.rpartition(".")[2] if "." in rid and rid[0].isdigit() else rid)
    text = re.sub(rf"^\**(?:Requirement\s+)?{last}\**\s*[.:]?\**\s*", "", text)
    return text.strip()


def requirement_definitions(ws: Workspace, rid: str, from_path: str | None = None) -> list[Place]:
    """Where `rid` is defined, as seen from `from_path`.

    In its own scope first; from an OpenSpec delta, the base spec it changes;
    then anywhere, unless its layout scopes IDs strictly (a Spec Kit or Kiro
    feature folder never resolves into another feature).
    """
    found = _all_requirements(ws, rid)
    if from_path is None:
        return found
    doc = ws.docs.get(from_path)
    layout = layout_of(doc) if doc is not None else layout_for(from_path, ws.config)
    scope = layout.scope(from_path)
    base = layout.base_of(from_path)
    if base is not None and (changed := [p for p in found if _scope(p.doc) == base]):
        return changed
    local = [p for p in found if _scope(p.doc) == scope]
    if local or layout.strict_scope:
        return local
    return found


def requirement_traces(ws: Workspace, rid: str, scope: str | None = None) -> list[Place]:
    """Every reference to `rid` (ranges like `4.1-4.3` expanded by the document's layout).

    With `scope`, only the references that resolve to the definition in that
    scope: those written in the same scope, or where their own scope has none
    and their layout lets them look further; and the OpenSpec deltas that
    change it.
    """
    defined = {_scope(p.doc) for p in _all_requirements(ws, rid)}
    found: list[Place] = []
    for doc in sorted(ws.docs.values(), key=lambda d: d.path):
        layout = layout_of(doc)
        here = layout.scope(doc.path)
        if scope is not None and layout.base_of(doc.path) == scope:
            found += [
                Place(doc, s, r.range, r.text)
                for s in doc.sections
                for r in s.requirements
                if r.id == rid
            ]
        if scope is not None and here != scope and (here in defined or layout.strict_scope):
            continue

        def known(other: str, here: str = here) -> bool:
            return any(_scope(p.doc) == here for p in _all_requirements(ws, other))

        for s in doc.sections:
            for m in s.requirement_refs:
                ids = layout.expand(m.text, known)
                if (
                    rid in ids
                    or EVERY in ids
                    or any(p in ids for p in layout.parents(rid))
                    or any(rid in layout.parents(i) for i in ids)  # 1.1-1.6 trace requirement 1
                ):
                    found.append(Place(doc, s, m.range, m.text))
    return found


def requirement_uses(ws: Workspace, rid: str, from_path: str) -> list[Place]:
    """The traces of the definition(s) `rid` names when written in `from_path`."""
    scopes = sorted({_scope(p.doc) for p in requirement_definitions(ws, rid, from_path)})
    if not scopes:
        return requirement_traces(ws, rid)
    return [t for scope in scopes for t in requirement_traces(ws, rid, scope)]


def section_uses(ws: Workspace, ref: str) -> list[tuple[Place, Directive]]:
    """Every `@use` in the workspace that names the section (or document) `ref`."""
    found: list[tuple[Place, Directive]] = []
    for doc in sorted(ws.docs.values(), key=lambda d: d.path):
        for s in doc.sections:
            for d in s.directives:
                if d.kind is DirectiveKind.USE and ws.target_ref(doc.path, d) == ref:
                    found.append((Place(doc, s, d.target_range, d.target), d))
    return found


def file_directives(ws: Workspace, rel: str) -> list[tuple[Place, Directive]]:
    """Every directive in the workspace whose path resolves to `rel`."""
    found: list[tuple[Place, Directive]] = []
    for doc in sorted(ws.docs.values(), key=lambda d: d.path):
        for s in doc.sections:
            for d in s.directives:
                if directive_file(doc.path, d) == rel:
                    found.append((Place(doc, s, d.target_range, d.target), d))
    return found


@dataclass(frozen=True, slots=True)
class Source:
    """A spec section that generates (or, for `@describe`, documents) part of a file."""

    doc: SpecDocument
    section: Section
    directive: Directive
    unit: UnitStatus | None  # None for `@describe`
    output: OutputStatus | None
    symbol_range: Range | None  # the span of a `#symbol` in the file, when located


def sources_at(
    ws: Workspace,
    analysis: Analysis,
    rel: str,
    pos: Position | None,
    locate: Callable[[str], Range | None],
) -> list[Source]:
    """The sections behind the code at `pos` in `rel`, most specific first.

    A `#symbol` whose span contains `pos` comes first, then whole-file outputs;
    the other symbol outputs and `@describe`s of the file only when nothing
    else matches. `locate(symbol)` finds a described symbol's span.
    """
    found: list[Source] = []
    for us, o in owners_at(analysis, rel, None):
        found.append(
            Source(us.unit.doc, us.unit.section, o.output.directive, us, o, o.symbol_range)
        )
    for place, d in file_directives(ws, rel):
        if d.kind is DirectiveKind.DESCRIBE:
            rng = locate(d.fragment) if d.fragment else None
            found.append(Source(place.doc, place.section, d, None, None, rng))
    if pos is None:
        return found
    inside = [s for s in found if s.symbol_range is not None and s.symbol_range.contains(pos)]
    inside.sort(
        key=lambda s: (s.symbol_range.end.line - s.symbol_range.start.line) if s.symbol_range else 0
    )
    whole = [s for s in found if s.directive.fragment is None]
    return inside + whole or found
