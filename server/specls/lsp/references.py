"""Find references: who names a section, a requirement or a file.

- a section (cursor on its heading or `{#id}`, or on a `@use` that names it)
  → every `@use` of it in the workspace;
- a requirement ID (its definition or any reference) → every trace of it;
- a directive's file, a task-line path, or anywhere in a generated or
  described file → every directive that names that file.

`includeDeclaration` adds the declaration in the LSP sense: the section's
heading, the requirement's definition. A section's references also list its
outputs (the file, or the generated symbol's span), after the spec
references: "who depends on this section" includes the code built from it.
`textDocument/implementation` gives the outputs alone.
"""

from __future__ import annotations

from lsprotocol import types

from specls.dialect import DirectiveKind, Section, SpecDocument
from specls.lsp.convert import from_position, location
from specls.lsp.definition import directive_target, task_path
from specls.lsp.snapshot import Snapshot
from specls.query import (
    directive_file,
    file_directives,
    hit_at,
    requirement_definitions,
    requirement_uses,
    section_uses,
)
from specls.status import expand_requirement_ref
from specls.text import Position, Range
from specls.workspace import unit_ref


def _section(
    snap: Snapshot, doc: SpecDocument, section: Section, declaration: bool
) -> list[tuple[str, Range]]:
    out: list[tuple[str, Range]] = []
    if declaration and section.level > 0:
        out.append((doc.path, section.heading_range))
    ref = unit_ref(doc.path, section)
    out += [(p.doc.path, p.range) for p, _ in section_uses(snap.workspace, ref)]
    us = snap.analysis.units.get(ref)
    for o in us.outputs if us else ():
        out.append((o.output.path, o.where))
    return out


def _requirement(
    snap: Snapshot, ids: list[str], from_path: str, declaration: bool
) -> list[tuple[str, Range]]:
    out: list[tuple[str, Range]] = []
    for rid in ids:
        defs = requirement_definitions(snap.workspace, rid, from_path)
        if declaration:
            out += [(p.doc.path, p.range) for p in defs]
        out += [(p.doc.path, p.range) for p in requirement_uses(snap.workspace, rid, from_path)]
    return out


def _file(snap: Snapshot, rel: str) -> list[tuple[str, Range]]:
    return [(p.doc.path, p.range) for p, _ in file_directives(snap.workspace, rel)]


def references(
    snap: Snapshot, uri: str, pos: Position, declaration: bool
) -> list[tuple[str, Range]]:
    rel = snap.rel(uri)
    if rel is None:
        return []
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        return _file(snap, rel)
    hit = hit_at(doc, pos)
    if hit.heading:
        return _section(snap, doc, hit.section, declaration)
    if hit.directive is not None:
        d = hit.directive
        if d.kind is DirectiveKind.USE:
            target = directive_target(snap, doc, d)
            if target is not None and target.section is not None:
                return _section(snap, *target.section, declaration)
        path = directive_file(doc.path, d)
        return _file(snap, path) if path else []
    if hit.requirement is not None:
        return _requirement(snap, [hit.requirement.id], doc.path, declaration)
    if hit.requirement_ref is not None:
        ids = expand_requirement_ref(hit.requirement_ref.text)
        return _requirement(snap, ids, doc.path, declaration)
    if hit.path_ref is not None:
        path = task_path(snap, doc, hit.path_ref.text)
        return _file(snap, path) if path else []
    return []


def _unique(found: list[tuple[str, Range]]) -> list[tuple[str, Range]]:
    return list(dict.fromkeys(found))


def run(snap: Snapshot, params: types.ReferenceParams) -> list[types.Location] | None:
    found = references(
        snap,
        params.text_document.uri,
        from_position(params.position),
        params.context.include_declaration,
    )
    return [location(snap.root, path, rng) for path, rng in _unique(found)] or None
