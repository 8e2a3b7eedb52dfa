"""Code lens: a unit's freshness on its heading; on a generated file, its section.

On a spec, every generation unit gets one lens on its heading line whose
action fits the status (show the outputs, or regenerate); every requirement,
criterion and user story gets where it is traced ("3 tasks · 2 files · 1
test", showing its references), and every heading of a tasks file over tasks
gets how many are done ("✓ 2/5 tasks done"). On a generated file, each
output gets "generated from <ref> — edit the spec" at the top of the file or
on its symbol, opening the section. The host maps each action to its command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from specls.dialect import RequirementKind, SpecDocument
from specls.ide.references import references
from specls.ide.snapshot import Snapshot
from specls.ide.tracing import feature_of, section_tasks, tracing
from specls.layouts import layout_of
from specls.status import Status, UnitStatus
from specls.text import Range
from specls.workspace import unit_ref


class LensAction(StrEnum):
    SHOW_OUTPUTS = "showOutputs"
    REGENERATE = "regenerate"
    OPEN_SECTION = "openSection"
    SHOW_REFERENCES = "showReferences"  # argument: path, line, character, locations
    NONE = "none"  # information only


@dataclass(frozen=True, slots=True)
class Lens:
    range: Range
    title: str
    action: LensAction
    argument: dict[str, Any] = field(default_factory=dict)


# status → (title, action); `{n}` is the number of outputs.
LENSES: dict[Status, tuple[str, LensAction]] = {
    Status.FRESH: ("✓ fresh · {n}", LensAction.SHOW_OUTPUTS),
    Status.STALE: ("⚠ stale · Regenerate", LensAction.REGENERATE),
    Status.EDITED: ("✎ edited · Review", LensAction.SHOW_OUTPUTS),
    Status.UNGENERATED: ("○ ungenerated · Generate", LensAction.REGENERATE),
    Status.MISSING: ("✗ missing · Regenerate", LensAction.REGENERATE),
    Status.CONFLICT: ("⚠ conflict · Show outputs", LensAction.SHOW_OUTPUTS),
}


def unit_lens(us: UnitStatus, rng: Range) -> Lens:
    title, action = LENSES.get(us.status, (us.status.value, LensAction.SHOW_OUTPUTS))
    n = len(us.outputs)
    title = title.format(n=f"{n} output" if n == 1 else f"{n} outputs")
    argument: dict[str, Any] = {"unit": us.ref}
    if action is LensAction.SHOW_OUTPUTS:
        argument["reveal"] = True
    return Lens(rng, title, action, argument)


def _line(rng: Range) -> Range:
    return Range.of(rng.start.line, 0, rng.start.line, 0)


def trace_lenses(snap: Snapshot, doc: SpecDocument) -> list[Lens]:
    """Where each requirement is traced, and each tasks phase's progress."""
    feature = feature_of(snap.workspace, doc)
    if feature is None:
        return []
    layout = layout_of(doc)
    lenses: list[Lens] = []
    for section in doc.sections:
        tasks = section_tasks(feature, doc, section) if section.level else []
        children = [section_tasks(feature, doc, doc.sections[i]) for i in section.children]
        if tasks and all(len(c) < len(tasks) for c in children):
            done = sum(1 for t in tasks if t.done)
            mark = "✓" if done == len(tasks) else "○"
            title = f"{mark} {done}/{len(tasks)} tasks done"
            lenses.append(Lens(_line(section.heading_range), title, LensAction.NONE))
        for r in section.requirements:
            if r.kind is RequirementKind.TASK:
                continue
            found = tracing(feature, doc, r)
            if found is None:
                continue
            worth = layout.must_trace(r) or r.kind is RequirementKind.STORY
            if not (worth or found.tasks or found.traces):
                continue  # an OpenSpec name or a Kiro heading nobody cites: no "not traced"
            start = r.range.start
            locations = references(snap, doc.path, start, declaration=False)
            argument: dict[str, Any] = {
                "path": doc.path,
                "line": start.line,
                "character": start.character,
                "locations": locations,
            }
            lenses.append(
                Lens(_line(r.range), found.summary(), LensAction.SHOW_REFERENCES, argument)
            )
    return lenses


def code_lenses(snap: Snapshot, rel: str) -> list[Lens]:
    doc = snap.workspace.docs.get(rel)
    if doc is not None:
        lenses = []
        for section in doc.sections:
            if not section.is_unit:
                continue
            us = snap.analysis.units.get(unit_ref(doc.path, section))
            if us is not None:
                lenses.append(unit_lens(us, _line(section.heading_range)))
        lenses += trace_lenses(snap, doc)
        return sorted(lenses, key=lambda lens: lens.range.start.line)
    found: dict[tuple[int, str], Lens] = {}
    for ref, key in snap.analysis.owners.get(rel, []):
        owner = snap.analysis.units.get(ref)
        out = next((o for o in owner.outputs if o.key == key), None) if owner else None
        if out is None:
            continue
        rng = _line(out.where)
        found.setdefault(
            (rng.start.line, ref),
            Lens(
                rng,
                f"generated from {ref} — edit the spec",
                LensAction.OPEN_SECTION,
                {"section": ref},
            ),
        )
    return [found[k] for k in sorted(found)]
