"""AWS Kiro: `.kiro/specs/<feature>/{requirements,design,tasks}.md`.

`### Requirement N` headings, their numbered acceptance criteria (EARS:
`WHEN … THE SYSTEM SHALL …`) named `N.M`, and task trailers
`_Requirements: 1.1, 2.3, 4.1-4.6_` that trace them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from specls.dialect.model import Marker, Requirement, RequirementKind, Symbols
from specls.layouts.base import Layout, Trigger, definition, span

_REQ = re.compile(r"^#{1,6}\s+Requirement\s+(\d+)\b")
_CRITERION = re.compile(r"^\s*(\d+)\.\s+(?:WHEN|IF|WHILE|WHERE|THE)\b")
_TRAILER = re.compile(r"_Requirements?:\s*([^_\n]+)_")
_ITEM = re.compile(r"\d+(?:\.\d+)?(?:\s*-\s*\d+(?:\.\d+)?)?")
_RANGE = re.compile(r"(\d+)\.(\d+)-(\d+)\.(\d+)")


class Kiro(Layout):
    name: ClassVar[str] = "kiro"
    globs: ClassVar[tuple[str, ...]] = (
        ".kiro/specs/*/requirements.md",
        ".kiro/specs/*/design.md",
        ".kiro/specs/*/tasks.md",
    )
    triggers: tuple[Trigger, ...] = (
        Trigger(
            re.compile(r"_Requirements?:\s*(?:[\w.-]+\s*,\s*)*([\w.-]*)$"),
            frozenset({RequirementKind.KIRO}),
        ),
    )

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        requirements: list[Requirement] = []
        refs: list[Marker] = []
        for line_no, line in enumerate(lines):
            if line_no in skip:
                continue
            if d := _REQ.match(line):
                requirements.append(definition(line_no, line, d, RequirementKind.KIRO))
            elif d := _CRITERION.match(line):
                # ".M" until `link` knows which Requirement N it belongs to.
                criterion = definition(line_no, line, d, RequirementKind.KIRO)
                requirements.append(replace(criterion, id="." + criterion.id))
            for m in _TRAILER.finditer(line):
                base = m.start(1)
                for item in _ITEM.finditer(m.group(1)):
                    rng = span(line_no, line, base + item.start(), base + item.end())
                    refs.append(Marker(item.group(0).replace(" ", ""), rng))
        return Symbols(tuple(requirements), tuple(refs))

    def link(self, sections: Sequence[tuple[Requirement, ...]]) -> list[tuple[Requirement, ...]]:
        """Criterion `.M` becomes `N.M` under the last `Requirement N` (dropped before any)."""
        current: str | None = None
        out: list[tuple[Requirement, ...]] = []
        for reqs in sections:
            linked: list[Requirement] = []
            for r in reqs:
                if r.kind is RequirementKind.KIRO:
                    if r.id.startswith("."):
                        if current is None:
                            continue
                        r = replace(r, id=current + r.id)
                    else:
                        current = r.id
                linked.append(r)
            out.append(tuple(linked))
        return out

    def expand(self, ref: str) -> list[str]:
        if m := _RANGE.fullmatch(ref):
            major, lo, end_major, hi = m.groups()
            if major == end_major:
                return [f"{major}.{i}" for i in range(int(lo), int(hi) + 1)]
        return [ref]

    def must_trace(self, req: Requirement) -> bool:
        return req.kind is RequirementKind.KIRO and "." in req.id
