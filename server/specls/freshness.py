"""The freshness model: each output's status against the lock, and what it reports.

With the previous snapshot and its analysis, units a change cannot reach
keep their inputs hash (the reverse `@use` index); the result equals a full
analysis (a test compares them).
"""

from __future__ import annotations

from collections import defaultdict

from specls import code
from specls.analysis import Analysis, OutputStatus, Status, UnitStatus, worst
from specls.collect import Collector
from specls.dialect import SpecDocument
from specls.findings import Code, Finding, Related, Severity
from specls.lock import LOCK_NAME, key_range
from specls.outputs import OutputReader, whole_file_hash
from specls.regen.generators import run_tangle
from specls.regen.tangle import GenerationError
from specls.units import Graph, Unit, described_directives, section_hash
from specls.workspace import Workspace, resolve_path, unit_ref

_STATUS_CODE = {
    Status.STALE: (Code.STALE, Severity.WARNING),
    Status.EDITED: (Code.EDITED, Severity.WARNING),
    Status.MISSING: (Code.MISSING, Severity.WARNING),
    Status.UNREADABLE: (Code.UNREADABLE_OUTPUT, Severity.ERROR),
    Status.UNGENERATED: (Code.UNGENERATED, Severity.INFO),
    Status.CONFLICT: (Code.CONFLICT, Severity.ERROR),
}


class Freshness(Collector):
    def __init__(
        self,
        ws: Workspace,
        reader: OutputReader,
        graph: Graph,
        previous: tuple[Workspace, Analysis] | None = None,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.reader = reader
        self.graph = graph
        self.previous: dict[str, UnitStatus] = {}
        self.dirty: set[str] = set()
        if previous is not None and _comparable(previous[0], ws):
            self.previous = previous[1].units
            self.dirty = _reached_by_change(previous[0], ws, self.graph)
        self.output_findings: dict[str, list[Finding]] = defaultdict(list)
        self.owners: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.adoptions: dict[str, str] = {}  # unit ref -> the orphan lock entry it takes over

    def is_orphan(self, ref: str) -> bool:
        """A lock entry whose section is gone from a spec that was read.

        An entry of a spec that exists but was not read (unreadable, too big,
        excluded by the config, not a regular file) is not an orphan: nothing
        says its section is gone, and `stamp --prune` must keep it.
        """
        found = self.ws.section(ref)
        if found is not None and (found[1].is_unit or described_directives(*found)):
            return False
        path = ref.partition("#")[0]
        if path in self.ws.docs:
            return True
        return path not in self.ws.unreadable and not self.reader.exists(path)

    def find_adoptions(self) -> dict[str, str]:
        """Units without a lock entry that take over an orphan entry: a heading whose ID
        changed by a text edit. Only when exactly one unit declares exactly the entry's
        output keys and every output on disk still has the locked hash."""
        if self.ws.lock is None:
            return {}
        by_keys: dict[frozenset[str], list[str]] = defaultdict(list)
        for ref, entry in self.ws.lock.units.items():
            if entry.outputs and self.is_orphan(ref):
                by_keys[frozenset(entry.outputs)].append(ref)
        claims: dict[str, list[str]] = defaultdict(list)
        for unit in self.graph.units.values():
            if unit.ref in self.ws.lock.units:
                continue
            olds = by_keys.get(frozenset(o.key for o in unit.outputs), [])
            if len(olds) == 1:
                claims[olds[0]].append(unit.ref)
        adoptions = {}
        for old, units in claims.items():
            if len(units) != 1:
                continue
            entry = self.ws.lock.units[old]
            unit = self.graph.units[units[0]]
            if all(
                self.reader.output_hash(o.path, o.symbol) == entry.outputs[o.key]
                for o in unit.outputs
            ):
                adoptions[unit.ref] = old
        return adoptions

    def tangled_hashes(self, unit: Unit) -> dict[str, str]:
        """Output key -> hash of what tangle makes of the unit's current section (no
        disk writes; deterministic), {} when the unit is not tangled or tangle fails."""
        generator = unit.doc.generator or self.ws.config.generator
        if generator != "tangle":
            return {}
        try:
            files = run_tangle(unit, self.reader.text)
        except (GenerationError, code.SymbolNotFound):
            return {}
        out = {}
        for o in unit.outputs:
            text = files.get(o.path)
            if text is None:
                continue
            if o.symbol:
                digest = code.symbol_hash(text, code.language_for_path(o.path) or "", o.symbol)
            else:
                digest = whole_file_hash(text.encode("utf-8"))
            if digest is not None:
                out[o.key] = digest
        return out

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
        adopted = self.adoptions.get(unit.ref)
        if lock is None and adopted is not None and self.ws.lock is not None:
            lock = self.ws.lock.units[adopted]
        tangled: dict[str, str] | None = None  # computed only when an output needs it
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
            unlocked = False
            if (
                current is not None
                and current != locked
                and not (len(claimed.get(out.key, ())) > 1)
            ):
                if tangled is None:
                    tangled = self.tangled_hashes(unit)
                unlocked = tangled.get(out.key) == current
            if len(claimed.get(out.key, ())) > 1:
                status = Status.CONFLICT
            elif self.reader.state(out.path).error is not None:
                status = Status.UNREADABLE  # not missing: it is there, and must not be replaced
            elif unlocked:
                status = Status.FRESH  # what the current section generates; the lock lags
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
            outputs.append(OutputStatus(out, status, current, locked, sym_range, unlocked))
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
            adopted_from=adopted if lock is not None and adopted is not None else None,
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
        statuses: dict[str, UnitStatus] = {}
        with self.guard("matching renamed sections to their lock entries", LOCK_NAME):
            self.adoptions = self.find_adoptions()
        for ref, unit in self.graph.units.items():
            # A unit whose status cannot be computed is left out (never guessed fresh).
            with self.guard(
                f"computing the status of {ref}", unit.doc.path, unit.section.heading_range
            ):
                statuses[ref] = self.unit_status(unit, claimed)
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
        elif o.status is Status.UNREADABLE:
            spec_msg = f"cannot read {o.output.path}: {self.reader.state(o.output.path).error}"
            out_msg = spec_msg
        elif o.status is Status.UNGENERATED:
            spec_msg = f"{o.key} has not been generated yet"
            if o.current_hash is not None:  # hand-written or generated before specls
                spec_msg += f"; it exists: `specls stamp {unit.ref}` adopts it as generated"
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
        adopted = set(self.adoptions.values())
        for ref in sorted(self.ws.lock.units):
            if ref in adopted or not self.is_orphan(ref):
                continue
            orphans.append(ref)
            lock_text = self.reader.text(LOCK_NAME)  # cached: read only when it is needed
            self.add(
                Code.ORPHAN,
                Severity.WARNING,
                f"the lock names {ref}, which no longer exists or declares no outputs;"
                " run `specls stamp --prune` or restore the section",
                LOCK_NAME,
                key_range(lock_text, ref),
                unit=ref,
            )
        return tuple(orphans)


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
