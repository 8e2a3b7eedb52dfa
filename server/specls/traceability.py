"""Requirements, tasks and the files tasks name, per feature: what `status` and `graph` show.

A pure function of a workspace snapshot, through each document's layout: a
trace written on a task line, or under it (Kiro's `_Requirements:` trailer on
the lines below a task), belongs to that task; a task that names files
(`… in src/models/user.py`) links its requirements to those files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from specls.dialect import Requirement, RequirementKind, Section
from specls.layouts import layout_of
from specls.layouts.base import EVERY
from specls.workspace import Workspace

_DONE = re.compile(r"^[-*+]\s+\[[xX]\]")
_OPTIONAL = re.compile(r"^[-*+]\s+\[[ xX~-]\]\*")


@dataclass
class Task:
    id: str
    path: str
    line: int  # 0-based
    done: bool
    optional: bool
    cites: list[str] = field(default_factory=list)  # requirement IDs, expanded
    files: list[str] = field(default_factory=list)  # paths the task line names


@dataclass
class Traced:
    id: str
    noun: str
    path: str
    line: int  # 0-based
    tasks: list[str] = field(default_factory=list)  # the tasks citing it, in order
    traces: int = 0  # every reference, in a task or not


@dataclass
class Feature:
    layout: str
    scope: str
    requirements: list[Traced] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.done)

    @property
    def traced(self) -> int:
        return sum(1 for r in self.requirements if r.traces)


def _owner(tasks: list[tuple[int, Task]], line: int) -> Task | None:
    """The last task of a section at or above `line`."""
    found = None
    for task_line, task in tasks:
        if task_line > line:
            break
        found = task
    return found


def features(ws: Workspace) -> list[Feature]:
    """Every feature (layout scope) with requirements or tasks, by layout then scope."""
    by_scope: dict[tuple[str, str], Feature] = {}
    index: dict[tuple[str, str], Traced] = {}
    docs = sorted(ws.docs.values(), key=lambda d: d.path)
    for doc in docs:
        layout = layout_of(doc)
        scope = layout.scope(doc.path)
        for section in doc.sections:
            for r in section.requirements:
                feature = by_scope.setdefault((doc.layout, scope), Feature(doc.layout, scope))
                if r.kind is RequirementKind.TASK:
                    feature.tasks.append(_task(doc.path, r, section))
                elif layout.referable(r) and (scope, r.id) not in index:
                    traced = Traced(r.id, layout.noun(r), doc.path, r.range.start.line)
                    index[(scope, r.id)] = traced
                    feature.requirements.append(traced)
    in_scope: dict[str, list[str]] = defaultdict(list)
    children: dict[tuple[str, str], list[str]] = defaultdict(list)  # Kiro: 3 → 3.1, 3.2
    for (scope, rid), traced in index.items():
        in_scope[scope].append(rid)
        for parent in layout_of(ws.docs[traced.path]).parents(rid):
            children[(scope, parent)].append(rid)
    tasks_by_line: dict[str, dict[int, Task]] = defaultdict(dict)
    for feature in by_scope.values():
        for t in feature.tasks:
            tasks_by_line[t.path][t.line] = t
    for doc in docs:
        layout = layout_of(doc)
        scope = layout.scope(doc.path)
        mine = sorted(tasks_by_line.get(doc.path, {}).items())

        def known(rid: str, scope: str = scope) -> bool:
            return (scope, rid) in index

        for section in doc.sections:
            first = section.heading_range.start.line
            here = [(n, t) for n, t in mine if first <= n <= section.own_end_line]
            for m in section.requirement_refs:
                task = _owner(here, m.range.start.line)
                for rid in layout.expand(m.text, known):
                    ids = (
                        in_scope[scope]
                        if rid == EVERY
                        else [rid, *children[(scope, rid)], *layout.parents(rid)]
                    )
                    for i in ids:
                        cited = index.get((scope, i))
                        if cited is None:
                            continue
                        cited.traces += 1
                        if task is not None and task.id not in cited.tasks:
                            cited.tasks.append(task.id)
                        if task is not None and i not in task.cites:
                            task.cites.append(i)
    return [by_scope[k] for k in sorted(by_scope)]


def _task(path: str, r: Requirement, section: Section) -> Task:
    files = [m.text for m in section.path_refs if m.range.start.line == r.range.start.line]
    return Task(
        r.id,
        path,
        r.range.start.line,
        done=_DONE.match(r.text) is not None,
        optional=_OPTIONAL.match(r.text) is not None,
        files=files,
    )
