"""AWS Kiro: `.kiro/specs/<feature>/{requirements,design,tasks}.md`.

`requirements.md` defines `### Requirement N` and its acceptance criteria
`N.M` (every numbered item under `#### Acceptance Criteria`, or an EARS line
`WHEN … SHALL …` anywhere under the requirement). `tasks.md` has checkbox
tasks `- [ ] 3.2 …` (`- [ ]* 3.4` optional, `- [x]` done) with trailers
`_Requirements: 1.1, 2.3, 4.1-4.6_`; `design.md` properties cite
`**Validates: Requirements 1.3**`. IDs are scoped to the feature folder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import ClassVar

from specls.dialect.model import Marker, Requirement, RequirementKind, Symbols
from specls.layouts.base import EVERY, Layout, Trigger, definition, span

_REQ = re.compile(r"^#{1,6}\s+Requirement\s+(\d+)\b")
_CRITERIA_LABEL = re.compile(r"^\s*(?:#{1,6}\s+|\*\*|__)?Acceptance Criteria\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^ ?(\d+)[.)]\s+\S")  # top level only: nested lists are details
_EARS = re.compile(r"^\s*(\d+)\.\s+(?:WHEN|IF|WHILE|WHERE|THE)\b")
_TASK = re.compile(r"^\s*[-*+]\s+\[[ xX~-]\]\*?\s+(\d+(?:\.\d+)*)\.?(?=\s)")
# `_Requirements: 1.1_`, `**Validates: Requirements 1.3**`, `_Validates: Requirements 2_`.
_TRAILER = re.compile(
    r"(?P<open>\*\*|__|_|\*)(?:Validates:\s*Requirements?:?|Requirements?:)[ \t]*"
)
_ITEM = re.compile(r"\d+(?:\.\d+)?(?:\s*[-–—]\s*\d+(?:\.\d+)?)?")
_ALL = re.compile(r"\bAll\b", re.IGNORECASE)
_DASH = re.compile(r"\s*[-–—]\s*")
_RANGE = re.compile(r"(\d+)(?:\.(\d+))?-(\d+)(?:\.(\d+))?")
_WRAP_LINES = 3  # how far a trailer may wrap onto the next lines
_DEFINES = ("requirements.md",)


def _trailer_markers(lines: Sequence[str], line_no: int, skip: frozenset[int]) -> list[Marker]:
    """The items of every trailer that starts on `line_no`, following it onto wrapped lines."""
    line = lines[line_no]
    found: list[Marker] = []
    for m in _TRAILER.finditer(line):
        close = m.group("open")
        at, n, start = line_no, 0, m.end()
        while True:
            text = lines[at]
            end = text.find(close, start)
            body_end = end if end >= 0 else len(text)
            body = text[start:body_end]
            items = list(_ITEM.finditer(body))
            for item in items:
                rng = span(at, text, start + item.start(), start + item.end())
                found.append(Marker(_DASH.sub("-", item.group(0)), rng))
            if not items and (a := _ALL.search(body)):
                found.append(Marker("All", span(at, text, start + a.start(), start + a.end())))
            n += 1
            at += 1
            if (
                end >= 0
                or n > _WRAP_LINES
                or at >= len(lines)
                or at in skip
                or not lines[at].strip()
                or _TASK.match(lines[at])
            ):
                break
            start = len(lines[at]) - len(lines[at].lstrip())
    return found


class Kiro(Layout):
    name: ClassVar[str] = "kiro"
    globs: ClassVar[tuple[str, ...]] = (
        ".kiro/specs/*/requirements.md",
        ".kiro/specs/*/design.md",
        ".kiro/specs/*/tasks.md",
    )
    strict_scope: ClassVar[bool] = True
    triggers: tuple[Trigger, ...] = (
        Trigger(
            re.compile(r"_Requirements?:\s*(?:[\w.-]+\s*,\s*)*([\w.-]*)$"),
            frozenset({RequirementKind.KIRO}),
        ),
        Trigger(
            re.compile(r"\*\*Validates:\s*Requirements?\s*(?:[\w.-]+\s*,\s*)*([\w.-]*)$"),
            frozenset({RequirementKind.KIRO}),
        ),
    )

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        requirements: list[Requirement] = []
        refs: list[Marker] = []
        criteria = False  # inside an "Acceptance Criteria" list
        wrapped: set[int] = set()
        for line_no, line in enumerate(lines):
            if line_no in skip:
                continue
            if d := _REQ.match(line):
                criteria = False
                requirements.append(definition(line_no, line, d, RequirementKind.KIRO))
            elif _CRITERIA_LABEL.match(line):
                criteria = True
            elif (d := _NUMBERED.match(line) if criteria else None) or (d := _EARS.match(line)):
                # ".M" until `link` knows which Requirement N it belongs to.
                criterion = definition(line_no, line, d, RequirementKind.KIRO)
                requirements.append(replace(criterion, id="." + criterion.id))
            elif d := _TASK.match(line):
                requirements.append(definition(line_no, line, d, RequirementKind.TASK))
            if line_no not in wrapped:
                markers = _trailer_markers(lines, line_no, skip)
                wrapped.update(m.range.start.line for m in markers)
                refs.extend(markers)
        return Symbols(tuple(requirements), tuple(refs))

    def link(
        self, path: str, sections: Sequence[tuple[Requirement, ...]]
    ) -> list[tuple[Requirement, ...]]:
        """Criterion `.M` becomes `N.M` under the last `Requirement N` (dropped before any).

        Only `requirements.md` defines requirements: a `### Requirement 7's
        two layers` heading in `design.md` is prose. Only `tasks.md` has tasks.
        """
        defines = path.endswith(_DEFINES) or not path.startswith(".kiro/")
        has_tasks = path.endswith("tasks.md")
        current: str | None = None
        out: list[tuple[Requirement, ...]] = []
        for reqs in sections:
            linked: list[Requirement] = []
            for r in reqs:
                if r.kind is RequirementKind.TASK:
                    if not has_tasks and r.id[:1].isdigit():
                        continue
                elif r.kind is RequirementKind.KIRO:
                    if not defines:
                        continue
                    if r.id.startswith("."):
                        if current is None:
                            continue
                        r = replace(r, id=current + r.id)
                    else:
                        current = r.id
                linked.append(r)
            out.append(tuple(linked))
        return out

    def scope(self, doc_path: str) -> str:
        parts = doc_path.split("/")
        if len(parts) > 3 and parts[:2] == [".kiro", "specs"]:
            return "/".join(parts[:3])
        return doc_path.rpartition("/")[0]

    def expand(self, ref: str, known: Callable[[str], bool] | None = None) -> list[str]:
        if ref == "All":
            return [EVERY]
        m = _RANGE.fullmatch(ref)
        if m is None:
            return [ref]
        major, lo, end_major, hi = m.groups()
        first, last = int(major), int(end_major)
        if lo is None and hi is None:  # requirements 1-31
            return [str(n) for n in range(first, last + 1)] if first <= last else [ref]
        if lo is None or hi is None or first > last:
            return [ref]
        if first == last:
            return [f"{major}.{i}" for i in range(int(lo), int(hi) + 1)] or [ref]
        ids = [f"{major}.{lo}"]
        i = int(lo) + 1
        while known is not None and known(f"{major}.{i}"):
            ids.append(f"{major}.{i}")
            i += 1
        ids += [str(n) for n in range(first + 1, last)]  # whole requirements in between
        ids += [f"{end_major}.{i}" for i in range(1, int(hi) + 1)]
        return ids

    def parents(self, rid: str) -> list[str]:
        major, dot, _ = rid.partition(".")
        return [major] if dot else []

    def must_trace(self, req: Requirement) -> bool:
        return req.kind is RequirementKind.KIRO and "." in req.id

    def referable(self, req: Requirement) -> bool:
        # A Kiro task's number is a position, not a name (Spec Kit's T001 is a name).
        return not (req.kind is RequirementKind.TASK and req.id[:1].isdigit())

    def noun(self, req: Requirement) -> str:
        return "task" if req.kind is RequirementKind.TASK else "requirement"
