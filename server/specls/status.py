"""The analysis as one pure function: structure checks, then freshness.

`analyze(workspace, reader)` returns every unit's status and every finding.
It reads output files only through the `OutputReader` cache, so re-running it
after an edit costs the hashing of the files that changed and nothing else.
The model lives in `analysis.py` and is re-exported here.
"""

from __future__ import annotations

from specls import index
from specls.analysis import (
    SEVERITY_ORDER,
    Analysis,
    OutputStatus,
    Status,
    UnitStatus,
    worst,
)
from specls.checks import expand_requirement_ref
from specls.outputs import OutputReader
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

    With `previous` (the last snapshot and its analysis), only what the change
    can reach is computed again (`index.py`); the result is the same as a full
    analysis (a test compares them on random edit sequences).
    """
    return index.run(ws, reader, previous)
