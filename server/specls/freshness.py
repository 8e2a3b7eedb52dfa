"""The freshness model: each output's status against the lock, and what it reports.

With the previous snapshot and its analysis, units a change cannot reach
keep their inputs hash (the reverse `@use` index); the result equals a full
analysis (a test compares them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from specls import code
from specls.analysis import OutputStatus, Status, UnitStatus, worst
from specls.collect import Collector
from specls.findings import Code, Finding, Related, Severity
from specls.lock import LOCK_NAME, key_range
from specls.outputs import OutputReader, whole_file_hash
from specls.regen.generators import run_tangle
from specls.regen.tangle import GenerationError
from specls.units import Graph, Unit, described_directives
from specls.workspace import Workspace, resolve_path

_STATUS_CODE = {
    Status.STALE: (Code.STALE, Severity.WARNING),
    Status.EDITED: (Code.EDITED, Severity.WARNING),
    Status.MISSING: (Code.MISSING, Severity.WARNING),
    Status.UNREADABLE: (Code.UNREADABLE_OUTPUT, Severity.ERROR),
    Status.UNGENERATED: (Code.UNGENERATED, Severity.INFO),
    Status.CONFLICT: (Code.CONFLICT, Severity.ERROR),
}


class Freshness(Collector):
    """The statuses of one pass, unit by unit (`index.py` says which units to compute).

    `previous` statuses of units outside `dirty` (those a change of the
    specs can reach, by the reverse `@use` index) keep their inputs hash.
    """

    def __init__(
        self,
        ws: Workspace,
        reader: OutputReader,
        graph: Graph,
        previous: Mapping[str, UnitStatus] | None = None,
        dirty: set[str] | None = None,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.reader = reader
        self.graph = graph
        self.previous: Mapping[str, UnitStatus] = previous or {}
        self.dirty: set[str] = dirty or set()
        self.adoptions: dict[str, str] = {}  # unit ref -> the orphan lock entry it takes over

    def is_orphan(self, ref: str) -> bool:
        """A lock entry whose section is gone from a spec that was read.

        An entry of a spec that exists but was not read (unreadable, too big,
        excluded by the config, not a regular file) is not an orphan: nothing
        says its section is gone, and `stamp --prune` must keep it.
        """
        found = self.graph.section(ref)
        if found is not None and (found[1].is_unit or described_directives(*found)):
            return False
        path = ref.partition("#")[0]
        if path in self.ws.docs:
            return True
        return path not in self.ws.unreadable and not self.reader.exists(path)

    def find_adoptions(self, orphans: Iterable[str], unlocked: Iterable[Unit]) -> dict[str, str]:
        """Units without a lock entry that take over an orphan entry: a heading whose ID
        changed by a text edit. Only when exactly one unit declares exactly the entry's
        output keys and every output on disk still has the locked hash.

        `orphans`: the lock's orphan entries, in lock order; `unlocked`: the units
        with no lock entry, in the graph's order."""
        if self.ws.lock is None:
            return {}
        by_keys: dict[frozenset[str], list[str]] = defaultdict(list)
        for ref in orphans:
            entry = self.ws.lock.units[ref]
            if entry.outputs:
                by_keys[frozenset(entry.outputs)].append(ref)
        if not by_keys:
            return {}
        claims: dict[str, list[str]] = defaultdict(list)
        for unit in unlocked:
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

    def unit_status(self, unit: Unit, claimed: Mapping[str, Collection[str]]) -> UnitStatus:
        lock = self.ws.lock.units.get(unit.ref) if self.ws.lock else None
        adopted = self.adoptions.get(unit.ref)
        if lock is None and adopted is not None and self.ws.lock is not None:
            lock = self.ws.lock.units[adopted]
        tangled: dict[str, str] | None = None  # computed only when an output needs it
        inputs, use_hashes = self.inputs(unit)
        spec_changed = lock is not None and lock.spec != unit.spec_hash
        inputs_changed = lock is not None and lock.inputs != inputs
        outputs = []
        reader = self.reader
        for out in unit.outputs:
            locked = lock.outputs.get(out.key) if lock else None
            st = reader.state(out.path)
            sym_range = None
            if out.symbol:
                current = reader.symbol_hash(out.path, out.symbol)
                sym = reader.symbol(out.path, out.symbol)
                sym_range = sym.range if sym else None
            else:
                current = st.hash
            in_conflict = len(claimed.get(out.key, ())) > 1
            unlocked = False
            if current is not None and current != locked and not in_conflict:
                if tangled is None:
                    tangled = self.tangled_hashes(unit)
                unlocked = tangled.get(out.key) == current
            if in_conflict:
                status = Status.CONFLICT
            elif st.error is not None:
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

    def report(
        self, us: UnitStatus, o: OutputStatus, claimed: Mapping[str, Collection[str]]
    ) -> tuple[Finding | None, Finding | None]:
        """What an output's status reports: on the spec, and on the output file."""
        if o.status is Status.FRESH:
            return None, None
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
        on_spec = Finding(
            code_,
            severity,
            spec_msg,
            unit.doc.path,
            o.output.directive.range,
            (),
            unit.ref,
            o.key,
        )
        on_output = None
        if o.status is not Status.MISSING and self.reader.exists(o.output.path):
            on_output = Finding(
                code_,
                Severity.INFO if o.status is Status.STALE else severity,
                out_msg,
                o.output.path,
                o.where,
                (spec_loc,),
                unit.ref,
                o.key,
            )
        return on_spec, on_output

    def check_described(self, refs: Iterable[str] | None = None) -> None:
        """`refs`: the lock entries that record described code (all, when None)."""
        if self.ws.lock is None:
            return
        units = self.ws.lock.units
        for ref in units if refs is None else refs:
            entry = units[ref]
            if not entry.described:
                continue
            found = self.graph.section(ref)
            if found is None:
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

    def orphan_finding(self, ref: str) -> Finding:
        lock_text = self.reader.text(LOCK_NAME)  # cached: read only when it is needed
        return Finding(
            Code.ORPHAN,
            Severity.WARNING,
            f"the lock names {ref}, which no longer exists or declares no outputs;"
            " run `specls stamp --prune` or restore the section",
            LOCK_NAME,
            key_range(lock_text, ref),
            (),
            ref,
        )


def claims(units: Iterable[Unit], path: str) -> dict[str, list[str]]:
    """Output key -> the units that claim it, for the outputs in one file: a whole
    file and a symbol in it clash too."""
    claimed: dict[str, list[str]] = defaultdict(list)
    in_file: list[str] = []  # units with any output in the file
    whole: list[str] = []  # units claiming all of it
    outs = [(unit.ref, o) for unit in units for o in unit.outputs if o.path == path]
    for ref, o in outs:
        claimed[o.key].append(ref)
        in_file.append(ref)
        if o.symbol is None:
            whole.append(ref)
    for _, o in outs:
        rivals = in_file if o.symbol is None else whole
        for other in dict.fromkeys(rivals):
            if other not in claimed[o.key]:
                claimed[o.key].append(other)
    return claimed


def reached_by_change(old: Graph, new: Graph, changed: Iterable[str]) -> set[str]:
    """Units whose inputs a change of the documents at `changed` can reach (the
    reverse `@use` index): a section changed when its hash did, or when it
    appeared or vanished."""
    refs: set[str] = set()
    vanished = False
    for path in changed:
        before, after = old.section_hashes(path), new.section_hashes(path)
        if before is after:
            continue
        for ref in before.keys() | after.keys():
            if before.get(ref) != after.get(ref):
                refs.add(ref)
                vanished = vanished or ref not in after
    if not refs:
        return set()
    reached = new.dependents(refs)
    if vanished:  # edges to a section that is gone exist only in the old graph
        reached |= old.dependents(refs)
    return reached
