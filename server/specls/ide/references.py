"""Find references: who names a section, a requirement or a file.

- a section (cursor on its heading or `{#id}`, or on a `@use` that names it)
  → every `@use` of it in the workspace;
- a requirement ID (its definition or any reference) → every trace of it;
- a directive's file, a task-line path, or anywhere in a generated or
  described file → every directive that names that file.

`declaration` adds the declaration in the LSP sense: the section's heading,
the requirement's definition. A section's references also list its outputs
(the file, or the generated symbol's span), after the spec references: "who
depends on this section" includes the code built from it. Go to
implementation gives the outputs alone.
"""

from __future__ import annotations

from specls.dialect import DirectiveKind, Section, SpecDocument
from specls.ide.comment_traces import comments_naming
from specls.ide.index import index_for
from specls.ide.snapshot import Snapshot
from specls.ide.targets import (
    directive_file,
    directive_target,
    expand_ref,
    file_directives,
    hit_at,
    section_uses,
    task_path,
)
from specls.text import Position, Range
from specls.workspace import unit_ref

FileRange = tuple[str, Range]  # (workspace-relative path, range)


def _section(
    snap: Snapshot, doc: SpecDocument, section: Section, declaration: bool
) -> list[FileRange]:
    out: list[FileRange] = []
    if declaration and section.level > 0:
        out.append((doc.path, section.heading_range))
    ref = unit_ref(doc.path, section)
    out += [(p.doc.path, p.range) for p, _ in section_uses(snap.workspace, ref)]
    us = snap.analysis.units.get(ref)
    for o in us.outputs if us else ():
        out.append((o.output.path, o.where))
    return out + comments_naming(snap, section_ref=ref)


def _requirement(
    snap: Snapshot, ids: list[str], from_path: str, declaration: bool
) -> list[FileRange]:
    out: list[FileRange] = []
    index = index_for(snap.workspace)
    for rid in ids:
        defs = index.requirement_definitions(rid, from_path)
        if declaration:
            out += [(p.doc.path, p.range) for p in defs]
        out += [(p.doc.path, p.range) for p in index.requirement_uses(rid, from_path)]
    return out + comments_naming(snap, rids=set(ids))


def _file(snap: Snapshot, rel: str) -> list[FileRange]:
    return [(p.doc.path, p.range) for p, _ in file_directives(snap.workspace, rel)]


def _found(snap: Snapshot, rel: str, pos: Position, declaration: bool) -> list[FileRange]:
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
        ids = expand_ref(snap.workspace, doc, hit.requirement_ref.text)
        return _requirement(snap, ids, doc.path, declaration)
    if hit.path_ref is not None:
        path = task_path(snap, doc, hit.path_ref.text)
        return _file(snap, path) if path else []
    return []


def references(snap: Snapshot, rel: str, pos: Position, declaration: bool) -> list[FileRange]:
    """Every place that names what is at `pos` in `rel`, without repeats, in order."""
    return list(dict.fromkeys(_found(snap, rel, pos, declaration)))
