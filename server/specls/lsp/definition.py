"""Go to definition: spec ⇄ generated code, sections, requirement IDs.

- a directive → its file, or the exact span of its `#symbol`; a `@use` of a
  section → that section's heading;
- a section heading → every output of its unit (and what it `@describe`s);
- a requirement reference (`FR-001`, `1.1`) → its definition; a path in a
  task line → the file;
- anywhere in a generated (or described) file → the section(s) behind the
  code under the cursor (`query.sources_at`).

`LocationLink`s when the client has `linkSupport`, plain `Location`s otherwise.
The target helpers here are shared with references, hover and links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from specls.code import Symbol
from specls.dialect import Directive, DirectiveKind, Section, SpecDocument
from specls.lsp.convert import from_position, path_to_uri, to_range
from specls.lsp.snapshot import Snapshot
from specls.query import (
    Source,
    directive_file,
    hit_at,
    requirement_definitions,
    sources_at,
    unit_for_section,
)
from specls.status import expand_requirement_ref
from specls.text import ZERO_RANGE, Position, Range
from specls.workspace import resolve_path

Result = list[types.LocationLink] | list[types.Location] | None


def link_support(caps: types.ClientCapabilities, method: str) -> bool:
    td = caps.text_document
    if td is None:
        return False
    cap = td.implementation if method == types.TEXT_DOCUMENT_IMPLEMENTATION else td.definition
    return bool(cap and cap.link_support)


# --- targets ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """Where a navigation lands: a file, a span in it, and the part to select."""

    rel: str
    range: Range  # the whole target: a symbol's definition, a section
    selection: Range  # the name: a symbol's identifier, a heading
    section: tuple[SpecDocument, Section] | None = None
    symbol: Symbol | None = None


def section_target(doc: SpecDocument, section: Section) -> Target:
    if section.level == 0:
        return Target(doc.path, ZERO_RANGE, ZERO_RANGE, (doc, section))
    return Target(doc.path, section.range, section.heading_range, (doc, section))


def file_target(snap: Snapshot, rel: str, symbol: str | None) -> Target | None:
    """A file (or a symbol in it) that exists; a missing symbol lands on the file."""
    if symbol:
        found = snap.reader.symbol(rel, symbol)
        if found is not None:
            return Target(rel, found.range, found.selection_range, symbol=found)
    if not snap.reader.exists(rel):
        return None
    return Target(rel, ZERO_RANGE, ZERO_RANGE)


def directive_target(snap: Snapshot, doc: SpecDocument, d: Directive) -> Target | None:
    ws = snap.workspace
    if d.kind is DirectiveKind.USE:
        ref = ws.target_ref(doc.path, d)
        if ref is not None:
            found = ws.section(ref)
            if found is not None:
                return section_target(*found)
            if "#" in ref:
                return None  # a broken section reference
    rel = directive_file(doc.path, d)
    return file_target(snap, rel, d.fragment) if rel else None


def section_outputs(snap: Snapshot, doc: SpecDocument, section: Section) -> list[Directive]:
    """The directives whose targets a section produces or documents (not its `@use`s)."""
    directives: Sequence[Directive] = section.directives
    if section.is_unit:
        us = unit_for_section(doc, section, snap.analysis)
        if us is not None:
            directives = us.unit.directives
    return [d for d in directives if d.kind is not DirectiveKind.USE]


def task_path(snap: Snapshot, doc: SpecDocument, written: str) -> str | None:
    """A path in a task line: workspace-relative (Spec Kit's habit), else spec-relative."""
    for rel in (resolve_path("", written), resolve_path(doc.path, written)):
        if rel is not None and snap.reader.exists(rel):
            return rel
    return None


def sources(snap: Snapshot, rel: str, pos: Position | None) -> list[Source]:
    def locate(symbol: str) -> Range | None:
        found = snap.reader.symbol(rel, symbol)
        return found.range if found else None

    return sources_at(snap.workspace, snap.analysis, rel, pos, locate)


# --- the feature ------------------------------------------------------------------------


def targets_at(snap: Snapshot, uri: str, pos: Position) -> tuple[Range | None, list[Target]]:
    """The origin span under the cursor and the targets it leads to."""
    rel = snap.rel(uri)
    if rel is None:
        return None, []
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        found = sources(snap, rel, pos)
        return None, [section_target(s.doc, s.section) for s in found]
    hit = hit_at(doc, pos)
    if hit.directive is not None:
        target = directive_target(snap, doc, hit.directive)
        return hit.directive.range, [target] if target else []
    if hit.requirement_ref is not None:
        places = [
            p
            for rid in expand_requirement_ref(hit.requirement_ref.text)
            for p in requirement_definitions(snap.workspace, rid, doc.path)
        ]
        return hit.requirement_ref.range, [Target(p.doc.path, p.range, p.range) for p in places]
    if hit.requirement is not None:
        r = hit.requirement
        return r.range, [Target(doc.path, r.range, r.range)]
    if hit.path_ref is not None:
        rel = task_path(snap, doc, hit.path_ref.text)
        return hit.path_ref.range, [Target(rel, ZERO_RANGE, ZERO_RANGE)] if rel else []
    if hit.heading:
        found_targets = [
            directive_target(snap, doc, d) for d in section_outputs(snap, doc, hit.section)
        ]
        return hit.section.heading_range, [t for t in found_targets if t is not None]
    return None, []


def to_result(
    snap: Snapshot, origin: Range | None, targets: Sequence[Target], links: bool
) -> Result:
    if not targets:
        return None
    unique: list[Target] = []
    for t in targets:
        if all((t.rel, t.range) != (u.rel, u.range) for u in unique):
            unique.append(t)
    if links:
        return [
            types.LocationLink(
                target_uri=path_to_uri(snap.root / t.rel),
                target_range=to_range(t.range),
                target_selection_range=to_range(t.selection),
                origin_selection_range=to_range(origin) if origin else None,
            )
            for t in unique
        ]
    return [
        types.Location(uri=path_to_uri(snap.root / t.rel), range=to_range(t.selection))
        for t in unique
    ]


def definitions(snap: Snapshot, uri: str, pos: Position, links: bool) -> Result:
    origin, targets = targets_at(snap, uri, pos)
    return to_result(snap, origin, targets, links)


def run(snap: Snapshot, params: types.DefinitionParams) -> Result:
    links = link_support(snap.capabilities, types.TEXT_DOCUMENT_DEFINITION)
    return definitions(snap, params.text_document.uri, from_position(params.position), links)


def implementations(snap: Snapshot, uri: str, pos: Position, links: bool) -> Result:
    """Section → its outputs: from its heading, or from a `@use` that names it."""
    doc = snap.doc(uri)
    if doc is None:
        return None
    hit = hit_at(doc, pos)
    section: tuple[SpecDocument, Section] | None = None
    origin: Range | None = None
    if hit.heading:
        section, origin = (doc, hit.section), hit.section.heading_range
    elif hit.directive is not None and hit.directive.kind is DirectiveKind.USE:
        target = directive_target(snap, doc, hit.directive)
        section, origin = (target.section if target else None), hit.directive.range
    if section is None:
        return None
    found = [directive_target(snap, section[0], d) for d in section_outputs(snap, *section)]
    return to_result(snap, origin, [t for t in found if t is not None], links)
