"""The traceability matrix: requirement → sections and tasks → outputs and files → tests.

Pure analysis over a workspace snapshot and its `Analysis` (no LSP): the CLI
renders it (`specls trace`), the server can serve it. What the specs say
(which requirements exist, which places in the specs trace them) comes from
one adapter, `read_requirements`; the rest — units, outputs, code comments,
the verdicts — is built on that, so a new way to read requirements (spec
layout plug-ins) changes that one function.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from specls import code
from specls.code.comments import DEFAULT_PATTERNS, comment_traces
from specls.config import ALWAYS_EXCLUDED
from specls.dialect import DirectiveKind, RequirementKind, Section, SpecDocument
from specls.globs import any_match
from specls.outputs import OutputReader
from specls.status import Analysis, Status, expand_requirement_ref
from specls.text import Range
from specls.units import subtree
from specls.workspace import Workspace, resolve_path, unit_ref

MAX_CODE_FILE = 1_000_000  # bytes; larger files are not scanned for comments

# --- the adapter: what the specs define and where they trace it -------------------------

Key = tuple[str, str]  # (scope, requirement id)

_CHECKBOX = re.compile(r"^(\s*)[-*+]\s+\[([ xX])\]\s+(.*)$")
_TASK_LABEL = re.compile(r"^(T\d{3,}|\d+(?:\.\d+)*)\.?\s")


@dataclass(frozen=True, slots=True)
class ReqDef:
    scope: str  # requirement IDs are scoped by their document's directory
    id: str
    kind: str  # "speckit", "kiro", "openspec"
    path: str
    section: Section
    range: Range
    text: str
    row: bool  # a row of the matrix (a Kiro requirement with criteria is not; they are)

    @property
    def key(self) -> Key:
        return (self.scope, self.id)


@dataclass(frozen=True, slots=True)
class Task:
    label: str  # "T012", "2.1" or the task's first words
    line: int
    done: bool
    paths: tuple[str, ...]  # files written in the task ("… in src/x.py"), as written


@dataclass(frozen=True, slots=True)
class ReqUse:
    """A place in a spec that traces requirements: a section, or a task in it."""

    targets: tuple[Key, ...]
    path: str
    section: Section
    range: Range
    task: Task | None


@dataclass(frozen=True)
class SpecTraces:
    defs: list[ReqDef]
    uses: list[ReqUse]


def _tasks(section: Section) -> dict[int, Task]:
    """Task per absolute line: a checkbox line and its indented continuation lines."""
    start = section.heading_range.start.line if section.level else 0
    lines = section.own_text.split("\n")
    out: dict[int, Task] = {}
    current: tuple[int, int, str, bool] | None = None  # line, indent, text, done
    members: list[int] = []

    def close() -> None:
        if current is None:
            return
        line, _, text, done = current
        m = _TASK_LABEL.match(text)
        label = m.group(1) if m else " ".join(text.split()[:4])
        paths = tuple(p.text for p in section.path_refs if p.range.start.line in (line, *members))
        task = Task(label, line, done, paths)
        for ln in (line, *members):
            out[ln] = task

    for i, raw in enumerate(lines):
        absolute = start + i
        if m := _CHECKBOX.match(raw):
            close()
            current, members = (absolute, len(m.group(1)), m.group(3), m.group(2) != " "), []
        elif current is not None and raw.strip():
            if len(raw) - len(raw.lstrip()) > current[1]:
                members.append(absolute)
            else:
                close()
                current, members = None, []
    close()
    return out


def read_requirements(ws: Workspace) -> SpecTraces:
    """THE adapter: requirement definitions and the spec places that trace them,
    resolved with the scoping rules of `status.check_requirements`."""
    defs: list[ReqDef] = []
    seen: set[Key] = set()
    by_id: dict[str, list[Key]] = defaultdict(list)
    docs = sorted(ws.docs.values(), key=lambda d: d.path)
    for doc in docs:
        scope = doc.path.rpartition("/")[0]
        kiro_parents = {
            r.id.partition(".")[0]
            for s in doc.sections
            for r in s.requirements
            if r.kind is RequirementKind.KIRO and "." in r.id
        }
        for s in doc.sections:
            for r in s.requirements:
                if r.kind is RequirementKind.TASK:
                    continue
                if (scope, r.id) in seen:
                    continue  # a duplicate: `check` reports it
                seen.add((scope, r.id))
                row = not (r.kind is RequirementKind.KIRO and r.id in kiro_parents)
                defs.append(ReqDef(scope, r.id, r.kind.value, doc.path, s, r.range, r.text, row))
                by_id[r.id].append((scope, r.id))
    defined = {d.key for d in defs}
    children: dict[Key, list[Key]] = defaultdict(list)  # Kiro "1" → its "1.1", "1.2"
    for d in defs:
        if d.kind == RequirementKind.KIRO.value and "." in d.id:
            children[(d.scope, d.id.partition(".")[0])].append(d.key)

    def resolve(scope: str, rid: str) -> list[Key]:
        keys = [(scope, rid)] if (scope, rid) in defined else list(by_id.get(rid, ()))
        return [k for key in keys for k in (key, *children.get(key, ()))]

    uses: list[ReqUse] = []
    for doc in docs:
        scope = doc.path.rpartition("/")[0]
        for s in doc.sections:
            tasks = _tasks(s) if s.requirement_refs else {}
            for m in s.requirement_refs:
                targets = tuple(
                    dict.fromkeys(
                        k for rid in expand_requirement_ref(m.text) for k in resolve(scope, rid)
                    )
                )
                if targets:
                    uses.append(
                        ReqUse(targets, doc.path, s, m.range, tasks.get(m.range.start.line))
                    )
    return SpecTraces(defs, uses)


# --- the matrix --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionLink:
    ref: str  # "specs/auth.spec.md#login"
    title: str
    line: int
    task: str | None = None  # the task's label when the trace is a task
    done: bool | None = None


@dataclass(frozen=True, slots=True)
class FileLink:
    key: str  # an output key ("src/x.py#Sym") or a path
    via: str  # "generate", "test", "describe", "task", "comment"
    test: bool
    exists: bool
    status: str | None = None  # an output's status
    unit: str | None = None
    line: int | None = None  # a comment's line (0-based)


@dataclass
class Row:
    id: str
    kind: str
    path: str
    line: int
    text: str
    sections: list[SectionLink] = field(default_factory=list)
    files: list[FileLink] = field(default_factory=list)

    @property
    def traced(self) -> bool:
        return bool(self.sections or self.files)

    @property
    def implemented(self) -> bool:
        return any(f.exists and not f.test for f in self.files)

    @property
    def tested(self) -> bool:
        return any(f.exists and f.test for f in self.files)

    @property
    def stale(self) -> bool:
        bad = {Status.STALE, Status.EDITED, Status.MISSING, Status.CONFLICT}
        return any(f.status in bad for f in self.files)

    @property
    def verdict(self) -> str:
        if not self.traced:
            return "untraced"
        if not self.implemented:
            return "unimplemented"
        if not self.tested:
            return "untested"
        return "stale" if self.stale else "ok"


_VERDICT_ORDER = ("untraced", "unimplemented", "untested", "stale", "ok")


@dataclass(frozen=True, slots=True)
class UnresolvedTrace:
    path: str
    line: int
    token: str


@dataclass
class Matrix:
    rows: list[Row]
    unresolved: list[UnresolvedTrace]

    def totals(self) -> dict[str, int]:
        return {
            "requirements": len(self.rows),
            "traced": sum(r.traced for r in self.rows),
            "implemented": sum(r.implemented for r in self.rows),
            "tested": sum(r.tested for r in self.rows),
            "stale": sum(r.stale for r in self.rows),
        }

    def percent(self, what: str) -> float:
        """Share of requirements that are `what` (100 when there are none)."""
        total = len(self.rows)
        return 100.0 if total == 0 else round(100.0 * self.totals()[what] / total, 1)


def _section_ref(path: str, section: Section) -> str:
    return unit_ref(path, section)


def _unit_of(doc: SpecDocument, section: Section, analysis: Analysis) -> str | None:
    current: Section | None = section
    while current is not None:
        if current.is_unit:
            ref = unit_ref(doc.path, current)
            return ref if ref in analysis.units else None
        current = doc.sections[current.parent] if current.parent is not None else None
    return None


def code_files(ws: Workspace) -> list[str]:
    patterns = ws.config.trace.code
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(ws.root):
        rel_dir = Path(dirpath).relative_to(ws.root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in ALWAYS_EXCLUDED
            and not d.startswith(".")
            and not any_match(ws.config.exclude, f"{rel_dir}/{d}".lstrip("/"))
        )
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}".lstrip("/")
            if code.language_for_path(rel) and any_match(patterns, rel):
                found.append(rel)
    return found


class _Builder:
    def __init__(self, ws: Workspace, analysis: Analysis, reader: OutputReader) -> None:
        self.ws, self.analysis, self.reader = ws, analysis, reader
        self.spec = read_requirements(ws)
        self.rows: dict[Key, Row] = {}
        self.tests = ws.config.trace.tests
        self.by_id: dict[str, list[Key]] = defaultdict(list)
        self.kiro_children: dict[str, list[Key]] = defaultdict(list)  # "1" → 1.1, 1.2 …
        for d in self.spec.defs:
            self.by_id[d.id].append(d.key)
            if d.kind == RequirementKind.KIRO.value and "." in d.id:
                self.kiro_children[d.id.partition(".")[0]].append(d.key)

    def is_test(self, path: str) -> bool:
        return any_match(self.tests, path)

    def add_section(self, row: Row, link: SectionLink) -> None:
        if link not in row.sections:
            row.sections.append(link)

    def add_file(self, row: Row, link: FileLink) -> None:
        if link not in row.files:
            row.files.append(link)

    def add_unit(self, row: Row, ref: str | None) -> None:
        us = self.analysis.units.get(ref) if ref else None
        if us is None:
            return
        for o in us.outputs:
            test = o.output.directive.kind is DirectiveKind.TEST or self.is_test(o.output.path)
            exists = o.status not in (Status.MISSING, Status.UNGENERATED) and self.reader.exists(
                o.output.path
            )
            self.add_file(
                row,
                FileLink(
                    o.key, o.output.directive.kind.value, test, exists, o.status.value, us.ref
                ),
            )

    def add_place(self, row: Row, doc: SpecDocument, section: Section) -> None:
        """A section that traces `row`: the outputs of its unit (the unit it is part
        of, or the units among its subsections) and what they `@describe`."""
        self.add_unit(row, _unit_of(doc, section, self.analysis))
        for s in subtree(doc, section):
            if s.is_unit:
                self.add_unit(row, unit_ref(doc.path, s))
        for d in (d for s in subtree(doc, section) for d in s.directives):
            if d.kind is DirectiveKind.DESCRIBE and d.path:
                path = resolve_path(doc.path, d.path)
                if path is not None:
                    key = f"{path}#{d.fragment}" if d.fragment else path
                    exists = self.reader.exists(path)
                    self.add_file(row, FileLink(key, "describe", self.is_test(path), exists))

    def task_file(self, doc_path: str, written: str) -> str:
        """A path in a task: workspace-relative (Spec Kit's habit), else spec-relative."""
        for rel in (resolve_path("", written), resolve_path(doc_path, written)):
            if rel is not None and self.reader.exists(rel):
                return rel
        return resolve_path("", written) or written

    def build(self, only: set[str] | None) -> Matrix:
        for d in self.spec.defs:
            if d.row and (only is None or d.path in only):
                self.rows[d.key] = Row(d.id, d.kind, d.path, d.range.start.line, d.text)
        defs = {d.key: d for d in self.spec.defs}
        for key, row in self.rows.items():
            d = defs[key]
            doc = self.ws.docs[d.path]
            if _unit_of(doc, d.section, self.analysis):  # defined inside a unit: it implements it
                self.add_section(
                    row,
                    SectionLink(
                        _section_ref(d.path, d.section), d.section.title, d.range.start.line
                    ),
                )
                self.add_place(row, doc, d.section)
        for use in self.spec.uses:
            doc = self.ws.docs[use.path]
            for key in use.targets:
                target = self.rows.get(key)
                if target is None:
                    continue
                row, task = target, use.task
                self.add_section(
                    row,
                    SectionLink(
                        _section_ref(use.path, use.section),
                        use.section.title,
                        task.line if task else use.range.start.line,
                        task.label if task else None,
                        task.done if task else None,
                    ),
                )
                self.add_place(row, doc, use.section)
                for written in task.paths if task else ():
                    path = self.task_file(use.path, written)
                    self.add_file(
                        row, FileLink(path, "task", self.is_test(path), self.reader.exists(path))
                    )
        unresolved = self.code_traces()
        rows = sorted(
            self.rows.values(), key=lambda r: (_VERDICT_ORDER.index(r.verdict), r.path, r.line)
        )
        return Matrix(rows, unresolved)

    # --- code-side traces ---------------------------------------------------------------

    def section_targets(self, ref: str) -> list[Key]:
        """Requirements a section reference in code traces: those defined in the section
        (or an OpenSpec requirement it is a scenario of) and those the section traces."""
        found = self.ws.section(ref)
        if found is None:
            return []
        doc, section = found
        lines = (section.range.start.line, section.range.end.line)
        keys = [
            d.key
            for d in self.spec.defs
            if d.path == doc.path
            and (
                lines[0] <= d.range.start.line <= lines[1]
                or (
                    d.kind == "openspec"
                    and d.section.range.start.line <= lines[0] <= d.section.range.end.line
                )
            )
        ]
        keys += [
            k
            for u in self.spec.uses
            if u.path == doc.path and lines[0] <= u.range.start.line <= lines[1]
            for k in u.targets
        ]
        return list(dict.fromkeys(keys))

    def token_targets(self, rel: str, token: str) -> list[Key]:
        if "#" in token:
            path, _, frag = token.partition("#")
            for base in ("", rel):
                doc_path = resolve_path(base, path)
                if doc_path is not None and doc_path in self.ws.docs:
                    return self.section_targets(f"{doc_path}#{frag}")
            return []
        keys = [
            key
            for rid in expand_requirement_ref(token)
            for key in (*self.by_id.get(rid, ()), *self.kiro_children.get(rid, ()))
        ]
        tasks = [k for u in self.spec.uses if u.task and u.task.label == token for k in u.targets]
        return list(dict.fromkeys([*keys, *tasks]))

    def code_traces(self) -> list[UnresolvedTrace]:
        patterns = tuple(self.ws.config.trace.patterns or DEFAULT_PATTERNS)
        unresolved: list[UnresolvedTrace] = []
        for rel in code_files(self.ws):
            language = code.language_for_path(rel)
            path = self.ws.root / rel
            try:
                if path.stat().st_size > MAX_CODE_FILE:
                    continue
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            assert language is not None
            test = self.is_test(rel)
            for t in comment_traces(text, language, patterns):
                targets = self.token_targets(rel, t.token)
                if not targets:
                    unresolved.append(UnresolvedTrace(rel, t.range.start.line, t.token))
                for key in targets:
                    found = self.rows.get(key)
                    if found is not None:
                        link = FileLink(rel, "comment", test, True, line=t.range.start.line)
                        self.add_file(found, link)
        return unresolved


def build_matrix(
    ws: Workspace, analysis: Analysis, reader: OutputReader, only: set[str] | None = None
) -> Matrix:
    """The matrix of the workspace; `only` limits the rows to requirements defined in
    those spec paths (traces are still looked for everywhere)."""
    return _Builder(ws, analysis, reader).build(only)
