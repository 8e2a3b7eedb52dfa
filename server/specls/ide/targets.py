"""What a position points at, and where navigation from it lands.

"What is under the cursor?" (`hit_at`), "which unit owns this section or
output?" (`unit_for_section`, `owners_at`), "who names this section or
file?" (`section_uses`, `file_directives`), "which sections are behind this
code?" (`sources_at`) and "where does this construct lead?" (`Target`,
`targets_at`) are shared by definition, references, hover, links, code
actions and commands; here they take plain positions and return plain data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from specls.code import Symbol
from specls.dialect import (
    Directive,
    DirectiveKind,
    Link,
    Marker,
    Requirement,
    RequirementKind,
    Section,
    SpecDocument,
)
from specls.ide.index import index_for
from specls.ide.snapshot import Snapshot
from specls.ide.tracing import tasks_naming
from specls.layouts import layout_of
from specls.layouts.base import EVERY
from specls.query import Place
from specls.status import Analysis, OutputStatus, UnitStatus
from specls.text import ZERO_RANGE, Position, Range
from specls.workspace import Workspace, resolve_path

__all__ = [
    "Hit",
    "Place",
    "Source",
    "Target",
    "directive_file",
    "directive_target",
    "expand_ref",
    "file_directives",
    "file_target",
    "hit_at",
    "implementation_targets",
    "link_ref",
    "markdown_link_target",
    "owners_at",
    "requirement_targets",
    "section_outputs",
    "section_target",
    "section_uses",
    "sources",
    "sources_at",
    "targets_at",
    "task_path",
    "task_targets",
    "unit_for_section",
]


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


def expand_ref(ws: Workspace, doc: SpecDocument, text: str) -> list[str]:
    """The IDs a reference written in `doc` stands for, as the document's layout reads it.

    A range whose ends alone do not say what lies between (`1.2-3.1`) asks
    which IDs the reference's scope defines; "All requirements" (`EVERY`)
    becomes every requirement of the feature (not its tasks).
    """
    layout = layout_of(doc)

    index = index_for(ws)

    def known(rid: str) -> bool:
        return bool(index.requirement_definitions(rid, doc.path))

    out: list[str] = []
    for rid in layout.expand(text, known):
        if rid == EVERY:
            out += _every(ws, doc)
        else:
            out.append(rid)
    return list(dict.fromkeys(out))


def _every(ws: Workspace, doc: SpecDocument) -> list[str]:
    layout = layout_of(doc)
    scope = layout.scope(doc.path)
    return [
        r.id
        for other in index_for(ws).scope_docs(scope)
        for s in other.sections
        for r in s.requirements
        if r.kind is not RequirementKind.TASK and layout_of(other).referable(r)
    ]


def requirement_targets(ws: Workspace, doc: SpecDocument, r: Requirement) -> list[Place]:
    """Where go-to-definition on a definition lands: itself, or what an OpenSpec delta changes.

    A `### Requirement:` in a change's delta (MODIFIED, REMOVED…) names the
    base spec's requirement of the same name; any other definition is its own.
    """
    if layout_of(doc).base_of(doc.path) is not None:
        base = [
            p
            for p in index_for(ws).requirement_definitions(r.id, doc.path)
            if (p.doc.path, p.range) != (doc.path, r.range)
        ]
        if base:
            return base
    return []


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


# --- who names what ---------------------------------------------------------------------


def directive_file(doc_path: str, directive: Directive) -> str | None:
    """Workspace-relative path a directive names (None for `#id` or outside the root)."""
    return resolve_path(doc_path, directive.path) if directive.path else None


def link_ref(ws: Workspace, doc_path: str, link: Link) -> str | None:
    """The section reference (`doc.spec.md#id`) a link names, when it names a spec."""
    resolved = resolve_path(doc_path, link.path) if link.path else doc_path
    if resolved is None or resolved not in ws.docs:
        return None
    return f"{resolved}#{link.fragment}"


def section_uses(ws: Workspace, ref: str) -> list[tuple[Place, Directive]]:
    """Every `@use` in the workspace that names the section (or document) `ref` (indexed)."""
    return index_for(ws).section_uses(ref)


def file_directives(ws: Workspace, rel: str) -> list[tuple[Place, Directive]]:
    """Every directive in the workspace whose path resolves to `rel` (indexed)."""
    return index_for(ws).file_directives(rel)


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


def sources(snap: Snapshot, rel: str, pos: Position | None) -> list[Source]:
    """`sources_at` with described symbols located through the snapshot's reader."""

    def locate(symbol: str) -> Range | None:
        found = snap.reader.symbol(rel, symbol)
        return found.range if found else None

    return sources_at(snap.workspace, snap.analysis, rel, pos, locate)


# --- where navigation lands -------------------------------------------------------------


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
            found = index_for(ws).section(ref)
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


def markdown_link_target(snap: Snapshot, doc: SpecDocument, link: Link) -> Target | None:
    """Where a plain Markdown link to a `.md` file (no `#fragment`) leads, if the file exists."""
    if link.fragment:
        return None
    rel = resolve_path(doc.path, link.path)
    if rel is None or not (rel in snap.workspace.docs or snap.reader.exists(rel)):
        return None
    return Target(rel, ZERO_RANGE, ZERO_RANGE)


def task_path(snap: Snapshot, doc: SpecDocument, written: str) -> str | None:
    """A path in a task line: workspace-relative (Spec Kit's habit), else spec-relative."""
    for rel in (resolve_path("", written), resolve_path(doc.path, written)):
        if rel is not None and snap.reader.exists(rel):
            return rel
    return None


def task_targets(snap: Snapshot, rel: str) -> list[Target]:
    """The tasks whose line names `rel`, then the requirements they cite."""
    named = tasks_naming(snap.workspace, rel, lambda doc, p: task_path(snap, doc, p))  # indexed
    places = [n.place for n in named] + [c for n in named for c in n.cites]
    return [Target(p.doc.path, p.range, p.range) for p in places]


def unique(targets: Sequence[Target]) -> list[Target]:
    """Targets without repeats of the same (file, range), in order."""
    out: list[Target] = []
    for t in targets:
        if all((t.rel, t.range) != (u.rel, u.range) for u in out):
            out.append(t)
    return out


def targets_at(snap: Snapshot, rel: str, pos: Position) -> tuple[Range | None, list[Target]]:
    """Go to definition: the origin span under the cursor and the targets it leads to.

    - a directive → its file, or the exact span of its `#symbol`; a `@use` of
      a section → that section;
    - a section heading → every output of its unit (and what it `@describe`s);
    - a requirement reference → its definition; a path in a task line → the file;
    - anywhere in a generated (or described) file → the section(s) behind the
      code under the cursor.
    """
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        from specls.ide.comment_traces import named_at

        if (named := named_at(snap, rel, pos)) is not None:  # `# FR-003` in a comment
            named_targets = [Target(p.doc.path, p.range, p.range) for p in named.requirements]
            if named.section is not None:
                named_targets.append(section_target(*named.section))
            return named.trace.range, unique(named_targets)
        found = sources(snap, rel, pos)
        targets = [section_target(s.doc, s.section) for s in found]
        if pos.line == 0:  # the file as a whole: the tasks that name it
            targets += task_targets(snap, rel)
        return None, unique(targets)
    hit = hit_at(doc, pos)
    if hit.directive is not None:
        target = directive_target(snap, doc, hit.directive)
        return hit.directive.range, [target] if target else []
    if hit.requirement_ref is not None:
        places = [
            p
            for rid in expand_ref(snap.workspace, doc, hit.requirement_ref.text)
            for p in index_for(snap.workspace).requirement_definitions(rid, doc.path)
        ]
        targets = [Target(p.doc.path, p.range, p.range) for p in places]
        return hit.requirement_ref.range, unique(targets)
    if hit.requirement is not None:
        r = hit.requirement
        base = requirement_targets(snap.workspace, doc, r)
        if base:
            return r.range, unique([Target(p.doc.path, p.range, p.range) for p in base])
        return r.range, [Target(doc.path, r.range, r.range)]
    if hit.path_ref is not None:
        path = task_path(snap, doc, hit.path_ref.text)
        return hit.path_ref.range, [Target(path, ZERO_RANGE, ZERO_RANGE)] if path else []
    for link in hit.section.links:
        if link.range.contains(pos) and (landing := markdown_link_target(snap, doc, link)):
            return link.range, [landing]
    if hit.heading:
        found_targets = [
            directive_target(snap, doc, d) for d in section_outputs(snap, doc, hit.section)
        ]
        return hit.section.heading_range, unique([t for t in found_targets if t is not None])
    return None, []


def implementation_targets(
    snap: Snapshot, rel: str, pos: Position
) -> tuple[Range | None, list[Target]]:
    """Go to implementation: a section → its outputs, from its heading or a `@use` of it."""
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        return None, []
    hit = hit_at(doc, pos)
    section: tuple[SpecDocument, Section] | None = None
    origin: Range | None = None
    if hit.heading:
        section, origin = (doc, hit.section), hit.section.heading_range
    elif hit.directive is not None and hit.directive.kind is DirectiveKind.USE:
        target = directive_target(snap, doc, hit.directive)
        section, origin = (target.section if target else None), hit.directive.range
    if section is None:
        return None, []
    found = [directive_target(snap, section[0], d) for d in section_outputs(snap, *section)]
    return origin, unique([t for t in found if t is not None])
