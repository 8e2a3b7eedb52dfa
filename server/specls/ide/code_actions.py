"""Code actions without the protocol: which units an action at a position
concerns, and the edits behind "create a missing section" and "move a hand
edit into the spec".

How the actions are titled and bound to diagnostics and commands stays with
the host; what they act on and the text they insert is decided here.
"""

from __future__ import annotations

from specls.dialect import Directive, SpecDocument
from specls.ide.diff import DiffError, output_diff
from specls.ide.edits import SourceChange
from specls.ide.rename import VALID_ID
from specls.ide.snapshot import Snapshot
from specls.ide.targets import owners_at, unit_for_section
from specls.status import Status, UnitStatus
from specls.text import LineIndex, Position, Range, split_lines, utf16_len
from specls.workspace import resolve_path, unit_ref

NEEDS_REGEN = (Status.STALE, Status.UNGENERATED, Status.MISSING)


def directive_at(doc: SpecDocument, rng: Range) -> Directive | None:
    """The directive whose target is `rng` (a diagnostic's range), else the one it starts in."""
    directives = [d for s in doc.sections for d in s.directives]
    exact = next((d for d in directives if d.target_range == rng), None)
    return exact or next((d for d in directives if d.target_range.contains(rng.start)), None)


def heading_for(section_id: str) -> str:
    """`user-model` → `User model`: a readable title for a section created from a link."""
    words = "".join(" " if ch in "-_.:" else ch for ch in section_id).split()
    title = " ".join(words) or section_id
    return title[:1].upper() + title[1:]


def append_section(rel: str, text: str, section_id: str) -> SourceChange:
    """Insert `## Title {#id}` at the end of a document, after one blank line."""
    end = LineIndex(text).position(len(text))
    newlines = len(text) - len(text.rstrip("\n"))
    sep = "\n" * max(0, 2 - newlines) if text else ""
    new = f"{sep}## {heading_for(section_id)} {{#{section_id}}}\n"
    return {rel: [(Range(end, end), new)]}


def create_section(
    snap: Snapshot, doc: SpecDocument, rng: Range
) -> tuple[str, str, SourceChange] | None:
    """For a `@use` of a missing section at `rng`: (target spec, id, the edit creating it)."""
    directive = directive_at(doc, rng)
    if directive is None or not directive.fragment or not VALID_ID.match(directive.fragment):
        return None
    target = resolve_path(doc.path, directive.path) if directive.path else doc.path
    if target is None or target not in snap.workspace.docs:
        return None
    text = snap.text(target)
    if text is None:
        return None
    return target, directive.fragment, append_section(target, text, directive.fragment)


def move_change(snap: Snapshot, us: UnitStatus, key: str) -> SourceChange | None:
    """Quote the output's hand edit, as a diff, at the end of the unit's own text."""
    try:
        path, diff = output_diff(snap, us, key)
    except DiffError:
        return None
    text = snap.text(us.unit.doc.path)
    if not diff or text is None:
        return None
    lines = split_lines(text)
    section = us.unit.section
    last = min(section.own_end_line, len(lines) - 1)
    while last > section.heading_range.end.line and not lines[last].strip():
        last -= 1
    at = Position(last, utf16_len(lines[last]))
    note = [
        f"> **Hand edit to move into this section**: `{path}` was changed by hand after it",
        "> was generated. Fold the change into the text or the code above, then regenerate.",
        ">",
        "> ```diff",
        *(f"> {line}" for line in diff.splitlines()),
        "> ```",
    ]
    return {us.unit.doc.path: [(Range(at, at), "\n\n" + "\n".join(note))]}


def units_at(snap: Snapshot, rel: str, pos: Position) -> list[UnitStatus]:
    """The units whose regenerate, stamp and review actions apply at `pos` in `rel`.

    In a spec: the unit of the section under the cursor (itself or its nearest
    unit ancestor). In a generated file: the unit of the symbol under the
    cursor, else those of whole-file outputs, else every unit that owns part
    of the file.
    """
    doc = snap.workspace.docs.get(rel)
    if doc is not None:
        us = unit_for_section(doc, doc.section_at(pos.line), snap.analysis)
        return [us] if us else []
    owners = owners_at(snap.analysis, rel, pos)
    here = [
        us
        for us, o in owners
        if o.output.symbol is None or (o.symbol_range and o.symbol_range.contains(pos))
    ]
    seen: dict[str, UnitStatus] = {}
    for us in here or [us for us, _ in owners]:
        seen.setdefault(us.ref, us)
    return list(seen.values())


def needs_regeneration(snap: Snapshot, rel: str) -> bool:
    """Whether a spec has a unit that is stale, missing or never generated (its own
    units looked up by reference, not every unit of the workspace)."""
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        return False
    units = snap.analysis.units
    return any(
        (u := units.get(unit_ref(rel, s))) is not None
        and u.status in NEEDS_REGEN
        and u.unit.doc.path == rel
        for s in doc.sections
        if s.is_unit
    )
