"""What the analysis knows about each unit and output: statuses and the result type.

A data model only; `status.analyze` computes it (`checks.py` for structure,
`freshness.py` for statuses).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from specls.findings import Finding, Severity
from specls.lock import LockUnit
from specls.text import ZERO_RANGE, Range
from specls.units import Output, Unit


class Status(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    EDITED = "edited"
    MISSING = "missing"
    UNREADABLE = "unreadable"  # exists but cannot be read (permission denied): never overwritten
    UNGENERATED = "ungenerated"
    ORPHAN = "orphan"
    CONFLICT = "conflict"


# Worst first: a unit shows the worst status of its outputs.
SEVERITY_ORDER = [
    Status.CONFLICT,
    Status.EDITED,
    Status.UNREADABLE,
    Status.MISSING,
    Status.STALE,
    Status.UNGENERATED,
    Status.ORPHAN,
    Status.FRESH,
]


@dataclass(frozen=True, slots=True)
class OutputStatus:
    output: Output
    status: Status
    current_hash: str | None
    locked_hash: str | None
    symbol_range: Range | None  # where a `#symbol` output sits in its file
    # fresh because it equals what tangle makes of the current section, while the
    # lock lags (a killed regen, a hand copy): `specls stamp` or regen settles it
    unlocked: bool = False

    @property
    def key(self) -> str:
        return self.output.key

    @property
    def where(self) -> Range:
        """Where the output is in its file: the symbol, else the start of the file."""
        return self.symbol_range or ZERO_RANGE


@dataclass(frozen=True, slots=True)
class UnitStatus:
    unit: Unit
    status: Status
    spec_changed: bool
    inputs_changed: bool
    inputs_hash: str
    outputs: tuple[OutputStatus, ...]
    lock: LockUnit | None
    generator: str
    use_hashes: tuple[tuple[str, str | None], ...] = ()  # the @use files in `inputs_hash`
    # the lock entry this unit took over from its old ID (a heading edited in place)
    adopted_from: str | None = None

    @property
    def ref(self) -> str:
        return self.unit.ref

    @property
    def needs_settling(self) -> bool:
        """Fresh on disk but not in the lock: regen or stamp should write its entry."""
        return self.adopted_from is not None or any(o.unlocked for o in self.outputs)


@dataclass(frozen=True)
class Analysis:
    units: dict[str, UnitStatus]
    findings: tuple[Finding, ...]  # on specs, the lock and the config
    output_findings: dict[str, tuple[Finding, ...]]  # on generated files, by path
    owners: dict[str, list[tuple[str, str]]]  # output path -> [(unit ref, output key)]
    orphans: tuple[str, ...] = field(default=())
    # what the next analysis reuses (`index.Memo`); not part of the result
    memo: object | None = field(default=None, compare=False, repr=False)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for unit in self.units.values():
            for o in unit.outputs:
                counts[o.status.value] += 1
        if self.orphans:
            counts[Status.ORPHAN.value] += len(self.orphans)
        return dict(counts)

    def has_failures(self) -> bool:
        return any(f.severity in (Severity.ERROR, Severity.WARNING) for f in self.findings)


def worst(statuses: list[Status]) -> Status:
    return min(statuses, key=SEVERITY_ORDER.index) if statuses else Status.FRESH
