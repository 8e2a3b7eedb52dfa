"""The analysis as one pure function: structure checks, then freshness.

`analyze(workspace, reader)` returns every unit's status and every finding.
It reads output files only through the `OutputReader` cache, so re-running it
after an edit costs the hashing of the files that changed and nothing else.
The model lives in `analysis.py` and is re-exported here.
"""

from __future__ import annotations

from specls.analysis import (
    SEVERITY_ORDER,
    Analysis,
    OutputStatus,
    Status,
    UnitStatus,
    worst,
)
from specls.checks import check_structure, expand_requirement_ref
from specls.collect import internal_error
from specls.findings import Finding
from specls.freshness import Freshness
from specls.lock import LOCK_NAME
from specls.lockmerge import conflict_findings
from specls.outputs import OutputReader
from specls.rules import tune
from specls.units import Graph
from specls.workspace import Workspace

__all__ = [
    "SEVERITY_ORDER",
    "Analysis",
    "OutputStatus",
    "Status",
    "UnitStatus",
    "analyze",
    "expand_requirement_ref",
    "worst",
]


def analyze(
    ws: Workspace, reader: OutputReader, previous: tuple[Workspace, Analysis] | None = None
) -> Analysis:
    """Every unit's status and every finding.

    With `previous` (the last snapshot and its analysis), units the change
    cannot reach keep their inputs hash instead of walking their `@use` closure
    again; the result is the same as a full analysis (a test compares them).
    """
    reader = reader.pinned()  # one look at each file per pass
    graph = Graph(ws)
    fresh = Freshness(ws, reader, graph, previous)
    units = fresh.freshness()
    orphans: tuple[str, ...] = ()
    with fresh.guard("comparing described code with the lock", LOCK_NAME):
        fresh.check_described()
    with fresh.guard("looking for orphan lock entries", LOCK_NAME):
        orphans = fresh.check_orphans()
    try:
        structure = check_structure(ws, reader, graph)
    except Exception as exc:
        structure = [internal_error("checking the structure", exc, "")]
    findings = [
        *ws.problems,
        *ws.unreadable.values(),
        *structure,
        *fresh.findings,
    ]
    if ws.lock is not None and ws.lock.conflicts:
        findings.extend(conflict_findings(ws, reader.text(LOCK_NAME)))
    findings = tune(findings, ws.config.rules, ws.docs)
    return Analysis(
        units=units,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        output_findings={k: tuple(v) for k, v in fresh.output_findings.items()},
        owners=dict(fresh.owners),
        orphans=orphans,
    )
