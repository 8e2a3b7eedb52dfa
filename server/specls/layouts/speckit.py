"""GitHub Spec Kit: `specs/<NNN-feature>/` (spec, plan, tasks, checklists, contracts…).

Requirements and success criteria are `**FR-001**:` or `**FR-001:**` list
items or `### FR-003: Title` headings (`SC-`, `NFR-` alike); user stories are
`### User Story 1 - Title (Priority: P1)`, cited as `[US1]`; tasks are
checkbox lines `- [ ] T001 [P] [US1] … in src/models/user.py`. Any mention
of an ID is a trace (`(covers: FR-001)`, a task citing `FR-002`, a range of
tasks `T031-T051`). IDs are scoped to the feature folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from specls.dialect.model import Marker, Requirement, RequirementKind, Symbols
from specls.layouts.base import Layout, Trigger, definition, span

# The one place the requirement ID prefixes are written.
PREFIXES = ("FR", "SC", "NFR")
_PREFIX = "(?:" + "|".join(PREFIXES) + ")"
REQUIREMENT_ID = _PREFIX + r"-\d{3,}"
TASK_ID = r"T\d{3,}"

# `- **FR-001**: …`, `- **FR-001:** …`, `- FR-001: …`, `- FR-001 (Label): …`, `**FR-001** …`
_DEF = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*(" + REQUIREMENT_ID + r"):?\*\*|(" + REQUIREMENT_ID + r")(?=\s*[:(]))"
)
_HEADING_DEF = re.compile(r"^#{1,6}\s+(" + REQUIREMENT_ID + r")\b")
# `FR-001`, and ranges `FR-054 through FR-069`, `SC-001 to SC-008`, `FR-001–FR-005`.
_REF = re.compile(
    r"\b" + REQUIREMENT_ID + r"(?:\s*(?:[-–—]|\bthrough\b|\bto\b)\s*" + REQUIREMENT_ID + r")?\b"
)
_THROUGH = re.compile(r"\s*(?:[-–—]|through|to)\s*(?=" + REQUIREMENT_ID + ")")
_ID_RANGE = re.compile(r"(" + _PREFIX + r")-(\d{3,})-(" + _PREFIX + r")-(\d{3,})")
_TASK_DEF = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(" + TASK_ID + r")\b")
_TASK_REF = re.compile(r"\b" + TASK_ID + r"(?:\s*[-–—]\s*" + TASK_ID + r")?\b")
_TASK_RANGE = re.compile(r"T(\d{3,})-T(\d{3,})")
_TASK_PATH = re.compile(r"\bin\s+`?((?:[\w.\-]+/)*[\w\-]+\.[A-Za-z0-9]+)`?")
_STORY_DEF = re.compile(r"^#{1,6}\s+(User Story\s+(\d+))\b")
_STORY_REF = re.compile(r"\[(US\d+)\]")
_DASH = re.compile(r"\s*[-–—]\s*")
# What every symbol above contains: a line without one of these has none (most lines).
_ANY_SYMBOL = re.compile(REQUIREMENT_ID + "|" + TASK_ID + r"|User Story|\[US\d")
_RENAMABLE = re.compile(REQUIREMENT_ID + "|" + TASK_ID)
_REFERENCED = frozenset({RequirementKind.SPECKIT, RequirementKind.TASK, RequirementKind.KIRO})
_MAX_RANGE = 1000  # a task range longer than this is a typo, not a range


class SpecKit(Layout):
    name: ClassVar[str] = "speckit"
    globs: ClassVar[tuple[str, ...]] = (
        "specs/*/*.md",
        "specs/*/checklists/*.md",
        "specs/*/contracts/*.md",
        ".specify/specs/*/*.md",  # older Spec Kit projects keep features under .specify/
        ".specify/specs/*/checklists/*.md",
        ".specify/specs/*/contracts/*.md",
        "memory/constitution.md",
        ".specify/memory/constitution.md",
    )
    strict_scope: ClassVar[bool] = True
    triggers: tuple[Trigger, ...] = (
        Trigger(
            re.compile(r"\(covers:\s*(?:[\w.-]+\s*,\s*)*([\w.-]*)$", re.IGNORECASE), _REFERENCED
        ),
        Trigger(re.compile(r"(?<![\w-])(" + _PREFIX + r"-\d*)$"), _REFERENCED),
        Trigger(re.compile(r"\[(US\d*)$"), frozenset({RequirementKind.STORY})),
    )

    def __init__(self, native: bool = True) -> None:
        # Reading a Spec Kit project: user stories and [US1], and which file of a
        # feature folder defines what. The plain layout borrows only the IDs.
        self.native = native

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        requirements: list[Requirement] = []
        refs: list[Marker] = []
        paths: list[Marker] = []
        for line_no, line in enumerate(lines):
            if line_no in skip or not _ANY_SYMBOL.search(line):
                continue
            defined: tuple[int, int] | None = None
            if d := _DEF.match(line) or _HEADING_DEF.match(line):
                group = 1 if d.group(1) else 2
                defined = d.span(group)
                requirements.append(definition(line_no, line, d, RequirementKind.SPECKIT, group))
            elif d := _TASK_DEF.match(line):
                defined = d.span(1)
                requirements.append(definition(line_no, line, d, RequirementKind.TASK))
                for p in _TASK_PATH.finditer(line):
                    paths.append(Marker(p.group(1), span(line_no, line, *p.span(1))))
            elif self.native and (d := _STORY_DEF.match(line)):
                defined = d.span(1)
                rng = span(line_no, line, *d.span(1))
                requirements.append(
                    Requirement("US" + d.group(2), RequirementKind.STORY, rng, line.strip())
                )
            for r in _REF.finditer(line):
                if r.span() != defined:
                    text = _THROUGH.sub("-", r.group(0))
                    refs.append(Marker(text, span(line_no, line, *r.span())))
            for r in _TASK_REF.finditer(line):
                if r.span() != defined:
                    text = _DASH.sub("-", r.group(0))
                    refs.append(Marker(text, span(line_no, line, *r.span())))
            for r in _STORY_REF.finditer(line) if self.native else ():
                refs.append(Marker(r.group(1), span(line_no, line, *r.span(1))))
        refs.sort(key=lambda m: (m.range.start, m.range.end))
        return Symbols(tuple(requirements), tuple(refs), tuple(paths))

    def link(
        self, path: str, sections: Sequence[tuple[Requirement, ...]]
    ) -> list[tuple[Requirement, ...]]:
        """In a feature folder, `spec.md` defines requirements and stories, `tasks.md` tasks.

        A checklist, a review or a progress note repeating `- **FR-001**: …` or
        `- [x] T001 …` quotes them; it does not define them again.
        """
        if not self.native:
            return list(sections)
        name = path.rpartition("/")[2]
        keep = {
            RequirementKind.SPECKIT: name == "spec.md",
            RequirementKind.STORY: name == "spec.md",
            RequirementKind.TASK: name == "tasks.md",
        }
        return [tuple(r for r in reqs if keep.get(r.kind, True)) for reqs in sections]

    def scope(self, doc_path: str) -> str:
        parts = doc_path.split("/")
        if len(parts) > 2 and parts[0] == "specs":
            return "/".join(parts[:2])
        if len(parts) > 3 and parts[:2] == [".specify", "specs"]:
            return "/".join(parts[:3])
        return doc_path.rpartition("/")[0]

    def expand(self, ref: str, known: Callable[[str], bool] | None = None) -> list[str]:
        if (m := _ID_RANGE.fullmatch(ref)) and m.group(1) == m.group(3):
            lo, hi = int(m.group(2)), int(m.group(4))
            if lo <= hi and hi - lo <= _MAX_RANGE:
                width = len(m.group(2))
                ids = [f"{m.group(1)}-{i:0{width}d}" for i in range(lo, hi + 1)]
                return [t for t in ids if known is None or t in (ids[0], ids[-1]) or known(t)]
        if m := _TASK_RANGE.fullmatch(ref):
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo <= hi and hi - lo <= _MAX_RANGE:
                width = len(m.group(1))
                ids = [f"T{i:0{width}d}" for i in range(lo, hi + 1)]
                # Only the ends must exist: a range spans tasks removed since.
                return [t for t in ids if known is None or t in (ids[0], ids[-1]) or known(t)]
        return [ref]

    def must_trace(self, req: Requirement) -> bool:
        return req.kind is RequirementKind.SPECKIT

    def renamable(self, rid: str) -> bool:
        return _RENAMABLE.fullmatch(rid) is not None

    def noun_of(self, rid: str) -> str:
        if re.fullmatch(TASK_ID, rid):
            return "task"
        return "user story" if rid.startswith("US") else "requirement"
