"""Code lens: a unit's freshness on its heading; on a generated file, its section.

On a spec, every generation unit gets one lens on its heading line whose
command fits the status (show the outputs, or regenerate). On a generated
file, each output gets "generated from <ref> — edit the spec" at the top of
the file or on its symbol, running `specls.openSection`.
"""

from __future__ import annotations

from lsprotocol import types

from specls.lsp.commands import REGENERATE, SHOW_OUTPUTS
from specls.lsp.convert import to_range
from specls.lsp.open_section import OPEN_SECTION
from specls.lsp.snapshot import Snapshot
from specls.status import Status, UnitStatus
from specls.text import Range
from specls.workspace import unit_ref

# status → (title, command); `{n}` is the number of outputs.
LENSES: dict[Status, tuple[str, str]] = {
    Status.FRESH: ("✓ fresh · {n}", SHOW_OUTPUTS),
    Status.STALE: ("⚠ stale · Regenerate", REGENERATE),
    Status.EDITED: ("✎ edited · Review", SHOW_OUTPUTS),
    Status.UNGENERATED: ("○ ungenerated · Generate", REGENERATE),
    Status.MISSING: ("✗ missing · Regenerate", REGENERATE),
    Status.CONFLICT: ("⚠ conflict · Show outputs", SHOW_OUTPUTS),
}


def unit_lens(us: UnitStatus, rng: Range) -> types.CodeLens:
    title, command = LENSES.get(us.status, (us.status.value, SHOW_OUTPUTS))
    n = len(us.outputs)
    title = title.format(n=f"{n} output" if n == 1 else f"{n} outputs")
    return types.CodeLens(
        range=to_range(rng),
        command=types.Command(
            title=title,
            command=command,
            arguments=[
                {"unit": us.ref, "reveal": True} if command == SHOW_OUTPUTS else {"unit": us.ref}
            ],
        ),
    )


def _line(rng: Range) -> Range:
    return Range.of(rng.start.line, 0, rng.start.line, 0)


def run(snap: Snapshot, params: types.CodeLensParams) -> list[types.CodeLens]:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return []
    doc = snap.workspace.docs.get(rel)
    if doc is not None:
        lenses = []
        for section in doc.sections:
            if not section.is_unit:
                continue
            us = snap.analysis.units.get(unit_ref(doc.path, section))
            if us is not None:
                lenses.append(unit_lens(us, _line(section.heading_range)))
        return lenses
    found: dict[tuple[int, str], types.CodeLens] = {}
    for ref, key in snap.analysis.owners.get(rel, []):
        us = snap.analysis.units.get(ref)
        out = next((o for o in us.outputs if o.key == key), None) if us else None
        if out is None:
            continue
        rng = _line(out.where)
        found.setdefault(
            (rng.start.line, ref),
            types.CodeLens(
                range=to_range(rng),
                command=types.Command(
                    title=f"generated from {ref} — edit the spec",
                    command=OPEN_SECTION,
                    arguments=[{"section": ref}],
                ),
            ),
        )
    return [found[k] for k in sorted(found)]
