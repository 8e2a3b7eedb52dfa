"""GitHub Spec Kit: `specs/<NNN-feature>/{spec,plan,tasks}.md` and the constitution.

Requirements and success criteria are `**FR-001**`, `**SC-001**`,
`**NFR-001**`; tasks are checkbox lines `- [ ] T001 …` that may name the
files they touch (`… in src/models/user.py`). Any mention of an ID is a
trace (`(covers: FR-001)`, a task citing `FR-002`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from specls.dialect.model import Marker, Requirement, RequirementKind, Symbols
from specls.layouts.base import Layout, Trigger, definition, span

# The one place the requirement ID prefixes are written.
PREFIXES = ("FR", "SC", "NFR")
_PREFIX = "(?:" + "|".join(PREFIXES) + ")"
REQUIREMENT_ID = _PREFIX + r"-\d{3,}"
TASK_ID = r"T\d{3,}"

_DEF = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(" + REQUIREMENT_ID + r")\*\*")
_REF = re.compile(r"\b" + REQUIREMENT_ID + r"\b")
_TASK_DEF = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(" + TASK_ID + r")\b")
_TASK_REF = re.compile(r"\b" + TASK_ID + r"\b")
_TASK_PATH = re.compile(r"\bin\s+`?((?:[\w.\-]+/)*[\w\-]+\.[A-Za-z0-9]+)`?")
_RENAMABLE = re.compile(REQUIREMENT_ID + "|" + TASK_ID)
_REFERENCED = frozenset({RequirementKind.SPECKIT, RequirementKind.TASK, RequirementKind.KIRO})


class SpecKit(Layout):
    name: ClassVar[str] = "speckit"
    globs: ClassVar[tuple[str, ...]] = (
        "specs/*/spec.md",
        "specs/*/plan.md",
        "specs/*/tasks.md",
        "memory/constitution.md",
        ".specify/memory/constitution.md",
    )
    triggers: tuple[Trigger, ...] = (
        Trigger(
            re.compile(r"\(covers:\s*(?:[\w.-]+\s*,\s*)*([\w.-]*)$", re.IGNORECASE), _REFERENCED
        ),
        Trigger(re.compile(r"(?<![\w-])(" + _PREFIX + r"-\d*)$"), _REFERENCED),
    )

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        requirements: list[Requirement] = []
        refs: list[Marker] = []
        paths: list[Marker] = []
        for line_no, line in enumerate(lines):
            if line_no in skip:
                continue
            defined: tuple[int, int] | None = None
            if d := _DEF.match(line):
                defined = d.span(1)
                requirements.append(definition(line_no, line, d, RequirementKind.SPECKIT))
            elif d := _TASK_DEF.match(line):
                defined = d.span(1)
                requirements.append(definition(line_no, line, d, RequirementKind.TASK))
                for p in _TASK_PATH.finditer(line):
                    paths.append(Marker(p.group(1), span(line_no, line, *p.span(1))))
            for pattern in (_REF, _TASK_REF):
                for r in pattern.finditer(line):
                    if r.span() != defined:
                        refs.append(Marker(r.group(0), span(line_no, line, *r.span())))
        return Symbols(tuple(requirements), tuple(refs), tuple(paths))

    def must_trace(self, req: Requirement) -> bool:
        return req.kind is RequirementKind.SPECKIT

    def renamable(self, rid: str) -> bool:
        return _RENAMABLE.fullmatch(rid) is not None

    def noun(self, req: Requirement) -> str:
        return "task" if req.kind is RequirementKind.TASK else "requirement"
