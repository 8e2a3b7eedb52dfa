"""Where a requirement, criterion, story or task is traced: the data behind hover and lenses.

`specls.traceability.features` already walks every feature once (tasks own
the traces written on or under their line, and name files); this module
answers, for one definition, which tasks cite it, which files and tests those
tasks name, and whether they are done, and says it in one short line
("3 tasks · 2 files · 1 test"). Test files are told from other files by
their name, like test runners find them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from specls.dialect import Requirement, RequirementKind, Section, SpecDocument
from specls.ide.index import index_for
from specls.layouts import layout_of
from specls.query import Place
from specls.traceability import Feature, Task, Traced
from specls.workspace import Workspace

_TEST = re.compile(r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*$|[._-](test|spec)\.\w+$")


def is_test(path: str) -> bool:
    """Whether a path a task names is a test file (`tests/…`, `test_x.py`, `x.test.ts`)."""
    return _TEST.search(path) is not None


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True, slots=True)
class Tracing:
    """A definition's traces, from the feature it belongs to."""

    id: str
    noun: str
    tasks: tuple[Task, ...]  # the tasks citing it (for a task: itself)
    files: tuple[str, ...]  # files those tasks name, not tests
    tests: tuple[str, ...]  # test files those tasks name
    traces: int  # every reference to it, in a task or not

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.done)

    def summary(self) -> str:
        """One line: "3 tasks · 2 files · 1 test", "2 references", or "not traced"."""
        parts = []
        if self.tasks:
            parts.append(plural(len(self.tasks), "task"))
        if self.files:
            parts.append(plural(len(self.files), "file"))
        if self.tests:
            parts.append(plural(len(self.tests), "test"))
        if not parts and self.traces:
            parts.append(plural(self.traces, "reference"))
        return " · ".join(parts) or "not traced"


def _files(tasks: tuple[Task, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    named = list(dict.fromkeys(f for t in tasks for f in t.files))
    return tuple(f for f in named if not is_test(f)), tuple(f for f in named if is_test(f))


def feature_of(ws: Workspace, doc: SpecDocument) -> Feature | None:
    return index_for(ws).feature_of(doc)


def task_at(feature: Feature, path: str, line: int) -> Task | None:
    return next((t for t in feature.tasks if (t.path, t.line) == (path, line)), None)


def tracing(feature: Feature, doc: SpecDocument, req: Requirement) -> Tracing | None:
    """The traces of a definition in `doc` (a task: what it cites and the files it names)."""
    if req.kind is RequirementKind.TASK:
        task = task_at(feature, doc.path, req.range.start.line)
        if task is None:
            return None
        files, tests = _files((task,))
        return Tracing(task.id, "task", (task,), files, tests, 0)
    found = _traced(feature, req.id)
    if found is None:
        return None
    tasks = tuple(next(t for t in feature.tasks if t.id == rid) for rid in found.tasks)
    files, tests = _files(tasks)
    return Tracing(found.id, found.noun, tasks, files, tests, found.traces)


def _traced(feature: Feature, rid: str) -> Traced | None:
    return next((r for r in feature.requirements if r.id == rid), None)


def section_tasks(feature: Feature, doc: SpecDocument, section: Section) -> list[Task]:
    """The tasks of a section and its subsections (a tasks file's phase)."""
    first = section.heading_range.start.line
    last = section.range.end.line
    return [t for t in feature.tasks if t.path == doc.path and first <= t.line <= last]


@dataclass(frozen=True, slots=True)
class NamedBy:
    """A task whose line names a file, and the requirements it cites (their definitions)."""

    task: Task
    place: Place  # the task's definition
    cites: tuple[Place, ...]


def tasks_naming(
    ws: Workspace, rel: str, resolve: Callable[[SpecDocument, str], str | None]
) -> list[NamedBy]:
    """Every task whose line names `rel` (`resolve` turns a written path into a file)."""
    found: list[NamedBy] = []
    index = index_for(ws)
    for feature in index.features_naming(rel):
        for task in feature.tasks:
            doc = ws.docs.get(task.path)
            if doc is None or not any(resolve(doc, f) == rel for f in task.files):
                continue
            section = doc.section_at(task.line)
            req = next((r for r in section.requirements if r.range.start.line == task.line), None)
            if req is None:
                continue
            cites = tuple(
                p
                for rid in task.cites
                if rid not in {q for c in task.cites for q in layout_of(doc).parents(c)}
                for p in index.requirement_definitions(rid, doc.path)
            )
            found.append(NamedBy(task, Place(doc, section, req.range, req.text), cites))
    return found
