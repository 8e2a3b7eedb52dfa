"""The plain specls layout: `**/*.spec.md`, and any included file no other layout claims.

A specls spec may use any tool's IDs (a `**FR-001**` list, tasks `T001`, a
Kiro `### Requirement 1`, an OpenSpec `### Requirement: name`) and trace them
with `(covers: FR-001)`; the tools' own rules (OpenSpec's SHALL/Scenario and
deltas) are not applied, and IDs are scoped by directory, falling back to
the whole workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

from specls.dialect.model import Marker, Requirement, Symbols
from specls.layouts.base import Layout
from specls.layouts.kiro import Kiro
from specls.layouts.openspec import OpenSpec
from specls.layouts.speckit import SpecKit


class Specls(Layout):
    name: ClassVar[str] = "specls"
    globs: ClassVar[tuple[str, ...]] = ("**/*.spec.md",)

    def __init__(self) -> None:
        self.parts: tuple[Layout, ...] = (SpecKit(native=False), Kiro(), OpenSpec())
        self.triggers = tuple(t for p in self.parts for t in p.triggers)

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        found = [p.scan(lines, skip) for p in self.parts]
        return Symbols(
            _in_order([r for s in found for r in s.requirements]),
            _in_order([m for s in found for m in s.refs]),
            _in_order([m for s in found for m in s.paths]),
        )

    def link(
        self, path: str, sections: Sequence[tuple[Requirement, ...]]
    ) -> list[tuple[Requirement, ...]]:
        out = list(sections)
        for p in self.parts:
            out = p.link(path, out)
        return out

    def expand(self, ref: str, known: Callable[[str], bool] | None = None) -> list[str]:
        for p in self.parts:
            ids = p.expand(ref, known)
            if ids != [ref]:
                return ids
        return [ref]

    def parents(self, rid: str) -> list[str]:
        return [p for part in self.parts for p in part.parents(rid)]

    def referable(self, req: Requirement) -> bool:
        return all(p.referable(req) for p in self.parts)

    def must_trace(self, req: Requirement) -> bool:
        return any(p.must_trace(req) for p in self.parts)

    def unique(self, req: Requirement) -> bool:
        return all(p.unique(req) for p in self.parts)

    def renamable(self, rid: str) -> bool:
        return any(p.renamable(rid) for p in self.parts)

    def noun_of(self, rid: str) -> str:
        return self.parts[0].noun_of(rid)


_Placed = TypeVar("_Placed", Requirement, Marker)


def _in_order(items: list[_Placed]) -> tuple[_Placed, ...]:
    return tuple(sorted(items, key=lambda x: (x.range.start, x.range.end)))
