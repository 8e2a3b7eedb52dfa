"""The freshness model and the structure checks, as a pure function.

`analyze(workspace, reader)` returns every unit's status and every finding.
It reads output files only through the `OutputReader` cache, so re-running it
after an edit costs the hashing of the files that changed and nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from specls import code
from specls.dialect import Directive, DirectiveKind, RequirementKind, SpecDocument
from specls.findings import Code, Finding, Related, Severity
from specls.lock import LOCK_NAME, LockUnit
from specls.lockmerge import conflict_findings
from specls.outputs import OutputReader
from specls.text import ZERO_RANGE, Range
from specls.units import Graph, Output, Unit, described_directives, make_unit, section_hash
from specls.workspace import Workspace, resolve_path, unit_ref


class Status(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    EDITED = "edited"
    MISSING = "missing"
    UNGENERATED = "ungenerated"
    ORPHAN = "orphan"
    CONFLICT = "conflict"


# Worst first: a unit shows the worst status of its outputs.
SEVERITY_ORDER = [
    Status.CONFLICT,
    Status.EDITED,
    Status.MISSING,
    Status.STALE,
    Status.UNGENERATED,
    Status.ORPHAN,
    Status.FRESH,
]
_STATUS_CODE = {
    Status.STALE: (Code.STALE, Severity.WARNING),
    Status.EDITED: (Code.EDITED, Severity.WARNING),
    Status.MISSING: (Code.MISSING, Severity.WARNING),
    Status.UNGENERATED: (Code.UNGENERATED, Severity.INFO),
    Status.CONFLICT: (Code.CONFLICT, Severity.ERROR),
}


@dataclass(frozen=True, slots=True)
class OutputStatus:
    output: Output
    status: Status
    current_hash: str | None
    locked_hash: str | None
    symbol_range: Range | None  # where a `#symbol` output sits in its file

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

    @property
    def ref(self) -> str:
        return self.unit.ref


@dataclass(frozen=True)
class Analysis:
    units: dict[str, UnitStatus]
    findings: tuple[Finding, ...]  # on specs, the lock and the config
    output_findings: dict[str, tuple[Finding, ...]]  # on generated files, by path
    owners: dict[str, list[tuple[str, str]]]  # output path -> [(unit ref, output key)]
    orphans: tuple[str, ...] = field(default=())

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


def _lock_key_range(lock_text: str | None, key: str) -> Range:
    if lock_text is None:
        return ZERO_RANGE
    needle = f'"{key}"'
    index = lock_text.find(needle)
    if index < 0:
        return ZERO_RANGE
    line = lock_text.count("\n", 0, index)
    col = index - (lock_text.rfind("\n", 0, index) + 1)
    return Range.of(line, col, line, col + len(needle))


class _Analyzer:
    def __init__(
        self,
        ws: Workspace,
        reader: OutputReader,
        previous: tuple[Workspace, Analysis] | None = None,
    ) -> None:
        self.ws = ws
        self.reader = reader
        self.graph = Graph(ws)
        self.previous: dict[str, UnitStatus] = {}
        self.dirty: set[str] = set()
        if previous is not None and _comparable(previous[0], ws):
            self.previous = previous[1].units
            self.dirty = _reached_by_change(previous[0], ws, self.graph)
        self.findings: list[Finding] = list(ws.problems) + list(ws.unreadable.values())
        self.output_findings: dict[str, list[Finding]] = defaultdict(list)
        self.owners: dict[str, list[tuple[str, str]]] = defaultdict(list)

    def add(
        self,
        code_: Code,
        severity: Severity,
        message: str,
        path: str,
        rng: Range,
        unit: str | None = None,
        output: str | None = None,
        related: tuple[Related, ...] = (),
    ) -> None:
        self.findings.append(Finding(code_, severity, message, path, rng, related, unit, output))

    # --- structure ----------------------------------------------------------------------

    def check_documents(self) -> None:
        for doc in self.ws.docs.values():
            self.findings.extend(doc.problems)
            for section in doc.sections:
                for m in section.clarifications:
                    self.add(
                        Code.CLARIFICATION,
                        Severity.WARNING,
                        f"needs clarification: {m.text}" if m.text else "needs clarification",
                        doc.path,
                        m.range,
                    )
                for m in section.unknown_directives:
                    self.add(
                        Code.UNKNOWN_DIRECTIVE,
                        Severity.ERROR,
                        f"unknown directive '@{m.text}' (expected @generate, @test, @use or"
                        " @describe)",
                        doc.path,
                        m.range,
                    )
                for d in section.directives:
                    self.check_directive(doc, d)
                for block in section.code_blocks:
                    self.check_file_tag(doc, section.index, block.file, block.file_range)
            self.check_openspec(doc)

    def check_directive(self, doc: SpecDocument, d: Directive) -> None:
        if not d.path:
            if d.kind is DirectiveKind.USE and d.fragment:
                if doc.section_by_id(d.fragment) is None:
                    self.add(
                        Code.BROKEN_SECTION_REF,
                        Severity.ERROR,
                        f"no section '#{d.fragment}' in this document",
                        doc.path,
                        d.target_range,
                    )
            else:
                self.add(
                    Code.BROKEN_FILE_REF,
                    Severity.ERROR,
                    f"@{d.kind.value} needs a path",
                    doc.path,
                    d.range,
                )
            return
        resolved = resolve_path(doc.path, d.path)
        if resolved is None or self.reader.escapes_root(resolved):
            self.add(
                Code.OUTSIDE_WORKSPACE,
                Severity.ERROR,
                f"'{d.path}' resolves outside the workspace",
                doc.path,
                d.target_range,
            )
            return
        if d.kind is DirectiveKind.USE:
            target = self.ws.target_ref(doc.path, d)
            if target is not None and resolved in self.ws.docs:
                if d.fragment and self.ws.section(target) is None:
                    self.add(
                        Code.BROKEN_SECTION_REF,
                        Severity.ERROR,
                        f"no section '#{d.fragment}' in {resolved}",
                        doc.path,
                        d.target_range,
                    )
                return
        if d.kind.is_output:
            if d.fragment and code.language_for_path(resolved) is None:
                self.add(
                    Code.UNSUPPORTED_SYMBOL_LANGUAGE,
                    Severity.ERROR,
                    f"cannot locate symbol '{d.fragment}': no parser for {resolved}",
                    doc.path,
                    d.target_range,
                )
            return  # a missing output is a freshness status, not a broken link
        if not self.reader.exists(resolved):
            self.add(
                Code.BROKEN_FILE_REF,
                Severity.ERROR,
                f"file not found: {resolved}",
                doc.path,
                d.target_range,
            )
        elif (
            d.fragment
            and d.kind is DirectiveKind.DESCRIBE
            and self.reader.symbol(resolved, d.fragment) is None
        ):
            self.add(
                Code.BROKEN_FILE_REF,
                Severity.ERROR,
                f"symbol '{d.fragment}' not found in {resolved}",
                doc.path,
                d.target_range,
            )

    def check_file_tag(
        self, doc: SpecDocument, index: int, file: str | None, rng: Range | None
    ) -> None:
        if file is None or rng is None:
            return
        section = doc.sections[index]
        owner = section
        while not owner.is_unit and owner.parent is not None:
            owner = doc.sections[owner.parent]
        path, _, frag = file.partition("#")
        resolved = resolve_path(doc.path, path)
        declared = {o.key for o in make_unit(doc, owner).outputs} if owner.is_unit else set()
        key = f"{resolved}#{frag}" if frag else resolved
        if key not in declared:
            self.add(
                Code.BAD_FILE_TAG,
                Severity.ERROR,
                f"file={file} is not an output declared by this section"
                " (add [@generate]({file}))",
                doc.path,
                rng,
            )

    def check_openspec(self, doc: SpecDocument) -> None:
        if not doc.path.startswith("openspec/"):
            return
        for section in doc.sections:
            if not any(r.kind is RequirementKind.OPENSPEC for r in section.requirements):
                continue
            parent = doc.sections[section.parent] if section.parent is not None else None
            if parent is not None and parent.title.upper().startswith(("REMOVED", "RENAMED")):
                continue  # a removal states a reason and a migration, not behaviour
            text = "\n".join(doc.sections[i].own_text for i in (section.index, *section.children))
            if "SHALL" not in text and "MUST" not in text:
                self.add(
                    Code.OPENSPEC_NO_SHALL,
                    Severity.WARNING,
                    "requirement has no SHALL or MUST statement",
                    doc.path,
                    section.heading_range,
                )
            if not any(doc.sections[i].title.startswith("Scenario:") for i in section.children):
                self.add(
                    Code.OPENSPEC_NO_SCENARIO,
                    Severity.WARNING,
                    "requirement has no '#### Scenario:'",
                    doc.path,
                    section.heading_range,
                )

    def check_requirements(self) -> None:
        defined: dict[tuple[str, str], tuple[str, Range, RequirementKind]] = {}
        by_id: dict[str, list[str]] = defaultdict(list)
        refs: set[tuple[str, str]] = set()
        for doc in self.ws.docs.values():
            scope = doc.path.rpartition("/")[0]
            for section in doc.sections:
                for r in section.requirements:
                    key = (scope, r.id)
                    if key in defined and r.kind is not RequirementKind.OPENSPEC:
                        self.add(
                            Code.DUPLICATE_REQUIREMENT,
                            Severity.ERROR,
                            f"requirement {r.id} is defined twice",
                            doc.path,
                            r.range,
                            related=(
                                Related(defined[key][0], defined[key][1], "first definition"),
                            ),
                        )
                        continue
                    defined[key] = (doc.path, r.range, r.kind)
                    by_id[r.id].append(scope)
        for doc in self.ws.docs.values():
            scope = doc.path.rpartition("/")[0]
            for section in doc.sections:
                for m in section.requirement_refs:
                    ids = expand_requirement_ref(m.text)
                    for rid in ids:
                        if (scope, rid) in defined:
                            refs.add((scope, rid))
                        elif by_id.get(rid):
                            refs.update((s, rid) for s in by_id[rid])
                        else:
                            self.add(
                                Code.BROKEN_REQUIREMENT_REF,
                                Severity.WARNING,
                                f"no requirement {rid} is defined",
                                doc.path,
                                m.range,
                            )
        for (scope, rid), (path, rng, kind) in defined.items():
            traced = kind is RequirementKind.SPECKIT or (
                kind is RequirementKind.KIRO and "." in rid
            )
            if traced and (scope, rid) not in refs:
                self.add(
                    Code.UNTRACED_REQUIREMENT,
                    Severity.INFO,
                    f"requirement {rid} is never referenced",
                    path,
                    rng,
                )

    def check_cycles(self) -> None:
        for cycle in self.graph.cycles:
            first = self.ws.section(cycle[0])
            if first is None:
                continue
            doc, section = first
            directive = next(
                (
                    d
                    for d in section.directives
                    if d.kind is DirectiveKind.USE and self.ws.target_ref(doc.path, d) == cycle[1]
                ),
                None,
            )
            self.add(
                Code.USE_CYCLE,
                Severity.ERROR,
                "@use cycle: " + " → ".join(cycle),
                doc.path,
                directive.target_range if directive else section.heading_range,
            )

    # --- freshness ----------------------------------------------------------------------

    def inputs(self, unit: Unit) -> tuple[str, tuple[tuple[str, str | None], ...]]:
        """The unit's inputs hash, reused from the previous analysis when the change
        cannot reach it: no spec it depends on changed, nor any `@use` file."""
        prev = self.previous.get(unit.ref)
        if (
            prev is not None
            and unit.ref not in self.dirty
            and prev.unit.spec_hash == unit.spec_hash
        ):
            now = tuple((f, self.reader.file_hash(f)) for f, _ in prev.use_hashes)
            if now == prev.use_hashes:
                return prev.inputs_hash, now
        hashes = tuple((f, self.reader.file_hash(f)) for f in sorted(self.graph.use_files(unit)))
        return self.graph.inputs_hash(unit, dict(hashes)), hashes

    def unit_status(self, unit: Unit, claimed: dict[str, list[str]]) -> UnitStatus:
        lock = self.ws.lock.units.get(unit.ref) if self.ws.lock else None
        inputs, use_hashes = self.inputs(unit)
        spec_changed = lock is not None and lock.spec != unit.spec_hash
        inputs_changed = lock is not None and lock.inputs != inputs
        outputs = []
        for out in unit.outputs:
            locked = lock.outputs.get(out.key) if lock else None
            current = self.reader.output_hash(out.path, out.symbol)
            sym_range = None
            if out.symbol:
                sym = self.reader.symbol(out.path, out.symbol)
                sym_range = sym.range if sym else None
            if len(claimed.get(out.key, ())) > 1:
                status = Status.CONFLICT
            elif lock is None or locked is None:
                status = Status.UNGENERATED
            elif current is None:
                status = Status.MISSING
            elif current != locked:
                status = Status.EDITED
            elif spec_changed or inputs_changed:
                status = Status.STALE
            else:
                status = Status.FRESH
            outputs.append(OutputStatus(out, status, current, locked, sym_range))
        generator = unit.doc.generator or self.ws.config.generator
        return UnitStatus(
            unit=unit,
            status=worst([o.status for o in outputs]),
            spec_changed=spec_changed,
            inputs_changed=inputs_changed,
            inputs_hash=inputs,
            outputs=tuple(outputs),
            lock=lock,
            generator=lock.generator if lock else generator,
            use_hashes=use_hashes,
        )

    def freshness(self) -> dict[str, UnitStatus]:
        claimed: dict[str, list[str]] = defaultdict(list)
        in_file: dict[str, list[str]] = defaultdict(list)  # path -> units with any output in it
        whole: dict[str, list[str]] = defaultdict(list)  # path -> units claiming all of it
        for unit in self.graph.units.values():
            for out in unit.outputs:
                claimed[out.key].append(unit.ref)
                in_file[out.path].append(unit.ref)
                if out.symbol is None:
                    whole[out.path].append(unit.ref)
        for unit in self.graph.units.values():  # a whole file and a symbol in it clash too
            for out in unit.outputs:
                rivals = in_file[out.path] if out.symbol is None else whole[out.path]
                for other in dict.fromkeys(rivals):
                    if other not in claimed[out.key]:
                        claimed[out.key].append(other)
        statuses = {ref: self.unit_status(u, claimed) for ref, u in self.graph.units.items()}
        for us in statuses.values():
            for o in us.outputs:
                self.owners[o.output.path].append((us.ref, o.key))
                self.report_output(us, o, claimed)
        return statuses

    def report_output(self, us: UnitStatus, o: OutputStatus, claimed: dict[str, list[str]]) -> None:
        if o.status is Status.FRESH:
            return
        unit = us.unit
        code_, severity = _STATUS_CODE[o.status]
        spec_loc = Related(unit.doc.path, unit.section.heading_range, f"section '{unit.title}'")
        if o.status is Status.STALE:
            why = "the section changed" if us.spec_changed else "something it uses changed"
            spec_msg = f"{o.key} is stale: {why} since it was generated"
            out_msg = (
                f"stale: generated from {unit.ref}, which changed since — regenerate the section"
            )
        elif o.status is Status.EDITED:
            spec_msg = f"{o.key} was edited by hand since it was generated"
            out_msg = (
                f"edited: generated from {unit.ref} — change the spec and regenerate"
                " instead of editing this output"
            )
        elif o.status is Status.MISSING:
            what = f"symbol '{o.output.symbol}' in {o.output.path}" if o.output.symbol else o.key
            spec_msg = f"{what} is missing; regenerate the section"
            out_msg = spec_msg
        elif o.status is Status.UNGENERATED:
            spec_msg = f"{o.key} has not been generated yet"
            out_msg = f"declared by {unit.ref} but never generated"
        else:
            others = ", ".join(sorted(set(claimed[o.key]) - {unit.ref}))
            spec_msg = f"{o.key} is also claimed by {others}"
            out_msg = f"claimed by several sections: {', '.join(sorted(set(claimed[o.key])))}"
        self.add(
            code_,
            severity,
            spec_msg,
            unit.doc.path,
            o.output.directive.range,
            unit=unit.ref,
            output=o.key,
        )
        if o.status is not Status.MISSING and self.reader.exists(o.output.path):
            rng = o.where
            self.output_findings[o.output.path].append(
                Finding(
                    code_,
                    Severity.INFO if o.status is Status.STALE else severity,
                    out_msg,
                    o.output.path,
                    rng,
                    (spec_loc,),
                    unit.ref,
                    o.key,
                )
            )

    def check_described(self) -> None:
        if self.ws.lock is None:
            return
        for ref, entry in self.ws.lock.units.items():
            found = self.ws.section(ref)
            if found is None or not entry.described:
                continue
            doc, section = found
            for d in described_directives(doc, section):
                path = resolve_path(doc.path, d.path)
                if path is None:
                    continue
                key = f"{path}#{d.fragment}" if d.fragment else path
                locked = entry.described.get(key)
                if locked and locked != self.reader.output_hash(path, d.fragment):
                    self.add(
                        Code.DESCRIBED_CODE_CHANGED,
                        Severity.INFO,
                        f"{key} changed since this section was last stamped; review the"
                        " description, then `specls stamp`",
                        doc.path,
                        d.range,
                        unit=ref,
                    )

    def check_orphans(self) -> tuple[str, ...]:
        if self.ws.lock is None:
            return ()
        orphans = []
        for ref in sorted(self.ws.lock.units):
            found = self.ws.section(ref)
            if found is not None and (found[1].is_unit or described_directives(*found)):
                continue
            orphans.append(ref)
            lock_text = self.reader.text(LOCK_NAME)  # cached: read only when it is needed
            self.add(
                Code.ORPHAN,
                Severity.WARNING,
                f"the lock names {ref}, which no longer exists or declares no outputs;"
                " run `specls stamp --prune` or restore the section",
                LOCK_NAME,
                _lock_key_range(lock_text, ref),
                unit=ref,
            )
        return tuple(orphans)


def expand_requirement_ref(text: str) -> list[str]:
    """`4.1-4.3` → 4.1, 4.2, 4.3; anything else stands for itself."""
    if "-" in text and "." in text and not text.startswith(("FR", "SC", "NFR")):
        start, _, end = text.partition("-")
        major, _, lo = start.partition(".")
        end_major, _, hi = end.partition(".")
        if lo.isdigit() and hi.isdigit() and major == end_major:
            return [f"{major}.{i}" for i in range(int(lo), int(hi) + 1)]
    return [text]


def _comparable(old: Workspace, new: Workspace) -> bool:
    """Whether statuses of `old` may be reused for `new`: same root, lock and config."""
    return old.root == new.root and old.lock is new.lock and old.config is new.config


def _reached_by_change(old: Workspace, new: Workspace, graph: Graph) -> set[str]:
    """Units whose inputs a change of documents can reach (the reverse `@use` index).

    Unchanged documents are the same objects in both snapshots, so identity
    tells which documents changed; within them, a section changed when its
    text hash did, or when it appeared or vanished.
    """
    changed: set[str] = set()
    vanished = False
    for path in set(old.docs) | set(new.docs):
        before, after = old.docs.get(path), new.docs.get(path)
        if before is after:
            continue
        hashes_before = _section_hashes(before)
        hashes_after = _section_hashes(after)
        for ref in set(hashes_before) | set(hashes_after):
            if hashes_before.get(ref) != hashes_after.get(ref):
                changed.add(ref)
                vanished = vanished or ref not in hashes_after
    if not changed:
        return set()
    reached = graph.dependents(changed)
    if vanished:  # edges to a section that is gone exist only in the old graph
        reached |= Graph(old).dependents(changed)
    return reached


def _section_hashes(doc: SpecDocument | None) -> dict[str, str]:
    if doc is None:
        return {}
    hashes = {unit_ref(doc.path, s): section_hash(doc, s) for s in doc.sections}
    hashes[doc.path] = section_hash(doc, doc.sections[0])  # the whole document
    return hashes


def analyze(
    ws: Workspace, reader: OutputReader, previous: tuple[Workspace, Analysis] | None = None
) -> Analysis:
    """Every unit's status and every finding.

    With `previous` (the last snapshot and its analysis), units the change
    cannot reach keep their inputs hash instead of walking their `@use` closure
    again; the result is the same as a full analysis (a test compares them).
    """
    a = _Analyzer(ws, reader, previous)
    a.check_documents()
    a.check_requirements()
    a.check_cycles()
    units = a.freshness()
    a.check_described()
    orphans = a.check_orphans()
    if ws.lock is not None and ws.lock.conflicts:
        a.findings.extend(conflict_findings(ws, reader.text(LOCK_NAME)))
    findings = tuple(sorted(a.findings, key=Finding.sort_key))
    return Analysis(
        units=units,
        findings=findings,
        output_findings={k: tuple(v) for k, v in a.output_findings.items()},
        owners=dict(a.owners),
        orphans=orphans,
    )
