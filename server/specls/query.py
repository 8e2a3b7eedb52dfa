"""Position lookups over a parsed document and an analysis (pure, no LSP).

The LSP features ask "what is under the cursor?" and "who owns this output?";
the answers live here so every feature (and the tests) share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from specls.dialect import Directive, Marker, Requirement, Section, SpecDocument
from specls.status import Analysis, OutputStatus, UnitStatus
from specls.text import Position


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
    if section.level > 0 and doc.sections[0].is_unit:
        return analysis.units.get(doc.path)
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
