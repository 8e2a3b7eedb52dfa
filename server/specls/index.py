"""The analysis kept up to date: after a change, only what the change can reach.

`status.analyze(ws, reader, previous)` runs here. A full analysis and an
incremental one are the same code: the first has nothing to reuse. What an
analysis keeps for the next one (`Memo`, on `Analysis.memo`) is indexed so
that a change finds what it reaches without a scan of the workspace:

- documents: a changed document (by identity: an unchanged one is the same
  object in both snapshots) is checked again, and so is every document whose
  directives point into a document that appeared, vanished or changed its
  section IDs (`Graph.referrers`), or into a file that changed;
- units: those of changed documents, those a changed section reaches through
  `@use` (the reverse index), those whose outputs or `@use` files changed on
  disk, whose lock entry changed, or whose claim on an output changed (output
  path -> owning units); every other unit keeps its status and findings;
- requirement IDs: checked again only when a changed document's definitions
  or references changed; the `@use` cycles only when an edge changed; the
  layouts' rules only for the layouts of changed documents;
- files: the previous pass's look at each file is reused for files nobody
  changed. With a watched reader (the server, told of every change on disk)
  that is every file not reported; otherwise each file is stat()ed again.

Findings come out in the order a full analysis gives (a test compares them
on random edit sequences).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from specls import requirements_index as rq
from specls.analysis import Analysis, UnitStatus
from specls.checks import StructureChecks
from specls.dialect import SpecDocument
from specls.findings import Finding
from specls.freshness import Freshness, claims, reached_by_change
from specls.gcpause import gc_paused
from specls.lock import LOCK_NAME, Lock, LockUnit
from specls.lockmerge import conflict_findings
from specls.outputs import FileState, OutputReader
from specls.paths import OutputPolicy
from specls.rules import DisabledCache, tune
from specls.text import Range
from specls.units import Graph, Unit
from specls.workspace import Workspace

K = TypeVar("K")
V = TypeVar("V")


_MISSING = object()


class Cow(Mapping[K, V]):
    """A dict copied on its first change: most passes change few entries of the
    previous pass's indexes, and a copy of 10,000 entries per keystroke adds up."""

    __slots__ = ("_d", "_owned")

    def __init__(self, base: dict[K, V] | None = None) -> None:
        self._d: dict[K, V] = base if base is not None else {}
        self._owned = base is None

    def __getitem__(self, key: K) -> V:
        return self._d[key]

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def get(self, key: K, default: Any = None) -> Any:  # type: ignore[override]
        return self._d.get(key, default)  # (Mapping's goes through __getitem__: slow)

    def __iter__(self) -> Iterator[K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __setitem__(self, key: K, value: V) -> None:
        if self._d.get(key, _MISSING) is not value:
            self._own()[key] = value

    def put(self, key: K, value: V) -> None:
        """Set `key` unless it is equal already."""
        old = self._d.get(key, _MISSING)
        if old is not value and old != value:
            self._own()[key] = value

    def __delitem__(self, key: K) -> None:
        del self._own()[key]

    def pop(self, key: K, default: V | None = None) -> V | None:
        if key not in self._d:
            return default
        return self._own().pop(key)

    def update(self, other: Mapping[K, V]) -> None:
        if other:
            self._own().update(other)

    def _own(self) -> dict[K, V]:
        if not self._owned:
            self._d = dict(self._d)
            self._owned = True
        return self._d

    def result(self) -> dict[K, V]:
        """The dict (the previous one, unchanged, when nothing was set)."""
        return self._d


@dataclass(frozen=True)
class Memo:
    """What one analysis keeps so that the next one can reuse it."""

    ws: Workspace
    graph: Graph
    reader: OutputReader  # the view analysed (its change log and buffers)
    mark: int  # the reader's change log when the pass began
    seen: Mapping[str, FileState]  # every file the pass looked at
    doc_findings: dict[str, tuple[Finding, ...]]  # structure, per document (non-empty)
    layout_findings: dict[str, tuple[Finding, ...]]
    req_sigs: dict[str, object]  # per document: its requirement definitions and uses
    req_findings: tuple[Finding, ...]
    req_docs: dict[str, rq.ReqDoc] | None  # requirement IDs per document, once needed
    id_docs: dict[str, frozenset[str]] | None  # requirement ID -> documents with it
    req_by_id: dict[str, tuple[rq.Ordered, ...]] | None  # ID -> its findings (non-empty)
    statuses: dict[str, UnitStatus]
    unit_errors: dict[str, Finding]  # units whose status could not be computed
    unit_findings: dict[str, tuple[Finding, ...]]  # per unit (non-empty), on the spec
    unit_out: dict[str, tuple[Finding | None, ...]]  # per unit, per output, on the file
    by_path: dict[str, tuple[str, ...]]  # output path -> units with an output in it
    claimed: dict[str, frozenset[str]]  # output key -> the units that claim it
    keys: dict[str, frozenset[str]]  # output path -> the output keys in it
    lock_paths: dict[str, tuple[str, ...]]  # spec path -> lock entries in it
    described_refs: tuple[str, ...]  # lock entries that record described code
    orphans: frozenset[str]  # lock entries whose section is gone (adopted ones too)
    orphan_findings: dict[str, Finding]
    unlocked: frozenset[str]  # units without a lock entry
    adoptions: dict[str, str]
    owners: dict[str, list[tuple[str, str]]]
    output_findings: dict[str, tuple[Finding, ...]]
    policy: OutputPolicy | None = None  # which output paths are forbidden, memoized
    disabled: DisabledCache = field(default_factory=dict)


def _order(unit: Unit) -> tuple[str, int]:
    """A unit's place in the graph's order (documents by path, sections in order)."""
    return unit.doc.path, unit.section.index


def _state_key(st: FileState | None) -> object:
    return None if st is None else (st.stamp, st.hash, st.error)


def _req_sig(doc: SpecDocument) -> object:
    """What the requirement checks read of a document, but for where things are."""
    return (
        doc.layout,
        tuple(
            (
                tuple((r.id, r.kind) for r in s.requirements),
                tuple(m.text for m in s.requirement_refs),
            )
            for s in doc.sections
            if s.requirements or s.requirement_refs
        ),
    )


def _places(doc: SpecDocument) -> list[Range]:
    out: list[Range] = []
    for s in doc.sections:
        out.extend(r.range for r in s.requirements)
        out.extend(m.range for m in s.requirement_refs)
    return out


def _map_places(
    path: str, before: SpecDocument, after: SpecDocument, moved: dict[tuple[str, Range], Range]
) -> bool:
    """Where each requirement definition and use of `before` is in `after` (same
    signature); False when two of them were at one place (no telling them apart)."""
    old, new = _places(before), _places(after)
    if len(old) != len(new):
        return False
    pairs = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    if pairs and len({_at(a) for a in old}) != len(old):
        return False
    for a, b in pairs:
        moved[(path, a)] = b
    return True


def _at(r: Range) -> tuple[int, int, int, int]:
    return r.start.line, r.start.character, r.end.line, r.end.character


def _moved(f: Finding, moved: Mapping[tuple[str, Range], Range]) -> Finding:
    rng = moved.get((f.path, f.range), f.range)
    related = tuple(
        replace(r, range=moved[(r.path, r.range)]) if (r.path, r.range) in moved else r
        for r in f.related
    )
    if rng is f.range and related == f.related:
        return f
    return replace(f, range=rng, related=related)


def _add_req_doc(
    req_docs: Cow[str, rq.ReqDoc], id_docs: Cow[str, frozenset[str]], path: str, d: rq.ReqDoc
) -> None:
    req_docs[path] = d
    for rid in d.ids:
        id_docs[rid] = id_docs.get(rid, frozenset()) | {path}


def _drop_req_doc(
    req_docs: Cow[str, rq.ReqDoc], id_docs: Cow[str, frozenset[str]], path: str, d: rq.ReqDoc
) -> None:
    req_docs.pop(path)
    for rid in d.ids:
        rest = id_docs.get(rid, frozenset()) - {path}
        if rest:
            id_docs[rid] = rest
        else:
            id_docs.pop(rid)


def _same_shape(was: Unit | None, now: Unit | None) -> bool:
    """Whether a unit's status can be moved from `was` to `now` (its text moved or
    changed around it, but not its own hash, outputs or generator)."""
    return (
        was is not None
        and now is not None
        and was.spec_hash == now.spec_hash
        and len(was.outputs) == len(now.outputs)
        and all(a.key == b.key for a, b in zip(was.outputs, now.outputs, strict=True))
        and was.doc.generator == now.doc.generator
    )


def _rebased(us: UnitStatus, unit: Unit) -> UnitStatus:
    """`us` for the same unit in a newer document."""
    outputs = tuple(
        o if o.output == out else replace(o, output=out)
        for o, out in zip(us.outputs, unit.outputs, strict=True)
    )
    return replace(us, unit=unit, outputs=outputs)


def _entry_changed(a: LockUnit | None, b: LockUnit | None) -> bool:
    return a is not b and a != b


class _Pass:
    """One analysis: the full one when there is nothing to reuse."""

    def __init__(self, ws: Workspace, reader: OutputReader, memo: Memo | None) -> None:
        self.ws = ws
        self.memo = memo
        self.mark = reader.mark()
        self.changed_files: set[str] = set()
        if memo is None:
            self.reader = reader.pinned()
            return
        old_buf, new_buf = memo.reader.buffers, reader.buffers
        # an open buffer of a spec is the spec's text, which the workspace has already
        self.changed_files = {
            p
            for p in old_buf.keys() | new_buf.keys()
            if p not in ws.docs
            and p not in memo.ws.docs
            and _state_key(old_buf.get(p)) != _state_key(new_buf.get(p))
        }
        if reader.watched and reader.shares_cache(memo.reader):
            candidates = reader.changed_since(memo.mark)
        else:
            candidates = set(memo.seen)
        look = reader.pinned()
        for path in candidates:
            before = memo.seen.get(path)
            if (
                before is not None
                and path not in new_buf
                and _state_key(look.state(path)) != _state_key(before)
            ):
                self.changed_files.add(path)
        known = dict(memo.seen)
        known.update(look.seen)
        self.reader = reader.pinned(known)

    # --- the whole pass -------------------------------------------------------------

    def run(self) -> Analysis:
        ws, memo = self.ws, self.memo
        if memo is None:
            changed: set[str] = set(ws.docs) | set(ws.unreadable)
            graph = Graph(ws)
        else:
            old = memo.ws
            changed = {
                p for p in old.docs.keys() | ws.docs.keys() if old.docs.get(p) is not ws.docs.get(p)
            }
            changed |= {
                p
                for p in old.unreadable.keys() | ws.unreadable.keys()
                if old.unreadable.get(p) is not ws.unreadable.get(p)
            }
            graph = Graph.updated(memo.graph, ws, changed)
        self.graph = graph
        self.changed = changed
        policy = memo.policy if memo is not None else None
        if policy is None or policy.config is not ws.config or policy.specs != ws.spec_paths:
            policy = OutputPolicy(ws.root, ws.config, ws.spec_paths, self.reader.real_paths)
        self.policy = policy
        checks = StructureChecks(ws, self.reader, graph, policy)
        self.structure(checks)
        fresh = Freshness(ws, self.reader, graph, memo.statuses if memo else None)
        self.freshness(fresh)
        return self.assemble(checks, fresh)

    # --- structure ------------------------------------------------------------------

    def structure(self, checks: StructureChecks) -> None:
        ws, memo, graph = self.ws, self.memo, self.graph
        doc_findings = Cow(memo.doc_findings if memo else None)
        again = {p for p in self.changed | graph.relinked if p in ws.docs}
        for path in self.changed_files:
            again.update(r for r in graph.referrers.get(path, ()) if r in ws.docs)
        for path in self.changed - ws.docs.keys():
            doc_findings.pop(path, None)
        for path in sorted(again):
            doc = ws.docs[path]
            found = tuple(checks.check_one(doc))
            if found:
                doc_findings.put(path, found)
            else:
                doc_findings.pop(path, None)
        self.doc_findings = doc_findings.result()
        # the layouts' rules, for the layouts of the changed documents
        layout_findings = Cow(memo.layout_findings if memo else None)
        if memo is None:
            names = set(checks.layout_order(checks.documents()))
        else:
            names = {
                d.layout for p in self.changed for d in (memo.ws.docs.get(p), ws.docs.get(p)) if d
            }
        for name in names:
            found = tuple(checks.check_layout(name))
            if found:
                layout_findings.put(name, found)
            else:
                layout_findings.pop(name)
        self.layout_findings = layout_findings.result()
        # requirement IDs: checked again when a definition or a use changed; when only
        # their places in the changed documents did, the findings move with them
        req_sigs = Cow(memo.req_sigs if memo else None)
        redo = memo is None
        moved: dict[tuple[str, Range], Range] = {}
        for path in self.changed:
            now_doc = ws.docs.get(path)
            sig = _req_sig(now_doc) if now_doc is not None else None
            if req_sigs.get(path) != sig:
                redo = True
            elif not redo and now_doc is not None and memo is not None:
                before = memo.ws.docs.get(path)
                if before is not None and not _map_places(path, before, now_doc, moved):
                    redo = True
            if sig is None:
                req_sigs.pop(path, None)
            else:
                req_sigs.put(path, sig)
        self.req_sigs = req_sigs.result()
        # requirement IDs → the documents that define or cite them: kept once an edit
        # changed an ID, so that the next ones check only the IDs they touch
        req_docs = Cow(memo.req_docs) if memo is not None and memo.req_docs is not None else None
        id_docs = Cow(memo.id_docs) if memo is not None and memo.id_docs is not None else None
        by_id = Cow(memo.req_by_id) if memo is not None and memo.req_by_id is not None else None
        touched: set[str] = set()
        if memo is not None and redo and req_docs is None:
            req_docs, id_docs = Cow(), Cow()
            for path, doc in memo.ws.docs.items():
                _add_req_doc(req_docs, id_docs, path, rq.req_doc(doc))
        if req_docs is not None and id_docs is not None:
            for path in self.changed:
                before = req_docs.get(path)
                if before is not None:
                    touched |= before.ids
                    _drop_req_doc(req_docs, id_docs, path, before)
                now_doc = ws.docs.get(path)
                if now_doc is not None:
                    after = rq.req_doc(now_doc)
                    touched |= after.ids
                    _add_req_doc(req_docs, id_docs, path, after)
        simple = req_docs is not None and all(d.simple for d in req_docs.values())
        if memo is None or (redo and not simple):
            by_id = None
            start = len(checks.findings)
            with checks.guard("checking requirements", ""):
                checks.check_requirements()
            self.req_findings = tuple(checks.findings[start:])
        elif redo:
            assert req_docs is not None and id_docs is not None
            if by_id is None:
                by_id, touched = Cow(), set(id_docs)
            for rid in touched:
                of_id = rq.check_id(rid, (req_docs[p] for p in id_docs.get(rid, ())))
                if of_id:
                    by_id[rid] = tuple(of_id)
                else:
                    by_id.pop(rid)
            self.req_findings = rq.in_order(by_id)
        elif moved:
            self.req_findings = tuple(_moved(f, moved) for f in memo.req_findings)
            if by_id is not None:
                for rid, items in list(by_id.items()):
                    now = tuple((c, p, k, _moved(f, moved)) for c, p, k, f in items)
                    if any(a[3] is not b[3] for a, b in zip(items, now, strict=True)):
                        by_id[rid] = now
        else:
            self.req_findings = memo.req_findings
        self.req_docs = req_docs.result() if req_docs is not None else None
        self.id_docs = id_docs.result() if id_docs is not None else None
        self.req_by_id = by_id.result() if by_id is not None else None
        start = len(checks.findings)
        with checks.guard("looking for @use cycles", ""):
            checks.check_cycles()
        self.cycle_findings = tuple(checks.findings[start:])

    # --- freshness ------------------------------------------------------------------

    def freshness(self, fresh: Freshness) -> None:
        ws, memo, graph = self.ws, self.memo, self.graph
        units = graph.units
        lock = ws.lock
        lock_units: Mapping[str, LockUnit] = lock.units if lock is not None else {}
        old_lock: Lock | None = memo.ws.lock if memo else None
        lock_changed = memo is None or old_lock is not lock
        old_units = memo.graph.units if memo else {}
        # the units whose Unit changed: those of changed documents
        new_in_changed = {r for p in self.changed if p in graph.docs for r in graph.docs[p].units}
        old_in_changed = (
            {r for p in self.changed if p in memo.graph.docs for r in memo.graph.docs[p].units}
            if memo
            else set()
        )
        # units whose text changed but neither their spec hash nor their outputs:
        # their status is the old one, moved onto the new unit, unless something else
        # reaches them
        same_shape = {r for r in new_in_changed if _same_shape(old_units.get(r), units.get(r))}
        # which outputs each file has, and who claims them
        by_path = Cow(memo.by_path if memo else None)
        if memo is None:
            grouped: dict[str, list[str]] = {}
            for ref, unit in units.items():
                for path in dict.fromkeys(o.path for o in unit.outputs):
                    grouped.setdefault(path, []).append(ref)
            by_path = Cow({p: tuple(refs) for p, refs in grouped.items()})
            touched = set(by_path)
        else:
            touched = set()
            gone: dict[str, set[str]] = {}
            for ref in old_in_changed - same_shape:
                was = old_units.get(ref)
                if was is not None and units.get(ref) is not was:
                    for o in was.outputs:
                        gone.setdefault(o.path, set()).add(ref)
                        touched.add(o.path)
            came: dict[str, set[str]] = {}
            for ref in new_in_changed - same_shape:
                is_now = units.get(ref)
                if is_now is not None and old_units.get(ref) is not is_now:
                    for o in is_now.outputs:
                        came.setdefault(o.path, set()).add(ref)
                        touched.add(o.path)
            for path in touched:
                members = set(by_path.get(path, ())) - gone.get(path, set())
                members |= came.get(path, set())
                members = {r for r in members if r in units}
                if members:
                    by_path.put(path, tuple(sorted(members, key=lambda r: _order(units[r]))))
                else:
                    by_path.pop(path, None)
        claimed = Cow(memo.claimed if memo else None)
        keys = Cow(memo.keys if memo else None)
        recompute = {r for r in new_in_changed if r in units and r not in same_shape}
        for path in touched:
            claimers = [units[r] for r in by_path.get(path, ())]
            now = {k: frozenset(v) for k, v in claims(claimers, path).items()}
            for k in keys.get(path, ()):
                if k not in now:
                    recompute.update(r for r in claimed.pop(k, frozenset()) or () if r in units)
            for k, v in now.items():
                if claimed.get(k) != v:
                    recompute.update(r for r in v | claimed.get(k, frozenset()) if r in units)
                    claimed[k] = v
            if now:
                keys.put(path, frozenset(now))
            else:
                keys.pop(path, None)
        if memo is None:
            recompute = set(units)
        self.by_path, self.claimed, self.keys = by_path.result(), claimed.result(), keys.result()
        # what a changed section reaches through @use, and units whose @use set changed
        if memo is not None:
            dirty = reached_by_change(memo.graph, graph, self.changed)
            dirty |= {r for r in graph.reset if r in units}
            fresh.dirty = dirty
            recompute |= dirty
            if self.changed_files:
                for path in self.changed_files:
                    recompute.update(by_path.get(path, ()))
                for ref, us in memo.statuses.items():
                    if ref in units and any(f in self.changed_files for f, _ in us.use_hashes):
                        recompute.add(ref)
            recompute.update(r for r in memo.unit_errors if r in units)
            if lock_changed:
                old_entries = old_lock.units if old_lock is not None else {}
                recompute.update(
                    r for r in units if _entry_changed(old_entries.get(r), lock_units.get(r))
                )
        # orphan lock entries, and the units that take one over
        lock_paths: Cow[str, tuple[str, ...]]
        if lock_changed or memo is None:
            grouped_refs: dict[str, list[str]] = {}
            for ref in lock_units:
                grouped_refs.setdefault(ref.partition("#")[0], []).append(ref)
            lock_paths = Cow({p: tuple(r) for p, r in grouped_refs.items()})
            check_refs: Iterable[str] = lock_units
            orphans: set[str] = set()
        else:
            lock_paths = Cow(memo.lock_paths)
            orphans = set(memo.orphans)
            paths = self.changed | self.changed_files
            check_refs = [r for p in paths for r in lock_paths.get(p, ())]
        with fresh.guard("looking for orphan lock entries", LOCK_NAME):
            for ref in check_refs:
                if fresh.is_orphan(ref):
                    orphans.add(ref)
                else:
                    orphans.discard(ref)
        self.lock_paths, self.orphan_set = lock_paths.result(), frozenset(orphans)
        if lock_changed or memo is None:
            unlocked = frozenset(r for r in units if r not in lock_units)
        else:
            unlocked = frozenset(
                r
                for r in (memo.unlocked - old_in_changed)
                | {r for r in new_in_changed if r not in lock_units}
                if r in units
            )
        self.unlocked = unlocked
        adoptions: dict[str, str] = {}
        with fresh.guard("matching renamed sections to their lock entries", LOCK_NAME):
            adoptions = fresh.find_adoptions(orphans, (units[r] for r in unlocked))
        fresh.adoptions = adoptions
        self.adoption_errors = list(fresh.findings)
        del fresh.findings[:]
        if memo is not None and adoptions != memo.adoptions:
            for one, other in (memo.adoptions, adoptions), (adoptions, memo.adoptions):
                recompute.update(r for r, e in one.items() if other.get(r) != e and r in units)
        self.adoptions = adoptions
        # the statuses
        statuses_new: dict[str, UnitStatus] = {}
        errors_new: dict[str, Finding] = {}
        rebase: set[str] = set()
        if memo is None:
            order: Iterable[str] = units
        else:
            recompute &= units.keys()
            rebase = {r for r in same_shape - recompute if r in memo.statuses}
            recompute |= same_shape - rebase
            order = sorted(recompute | rebase, key=lambda r: _order(units[r]))
        claimed_now = self.claimed  # a plain dict: looked up for every output
        for ref in order:
            unit = units[ref]
            if ref in rebase:
                assert memo is not None
                statuses_new[ref] = _rebased(memo.statuses[ref], unit)
                continue
            start = len(fresh.findings)
            with fresh.guard(
                f"computing the status of {ref}", unit.doc.path, unit.section.heading_range
            ):
                statuses_new[ref] = fresh.unit_status(unit, claimed_now)
            if len(fresh.findings) > start:
                errors_new[ref] = fresh.findings[-1]
        del fresh.findings[:]
        unit_errors = Cow(memo.unit_errors if memo else None)
        for ref in list(unit_errors):
            if ref not in units or ref in statuses_new:
                del unit_errors[ref]
        unit_errors.update(errors_new)
        self.unit_errors = unit_errors.result()
        if memo is None:
            statuses = statuses_new
        elif graph.same_units and not errors_new and not memo.unit_errors:
            statuses = dict(memo.statuses)  # the same units in the same order
            statuses.update(statuses_new)
        else:
            statuses = {}
            for ref in units:
                kept = statuses_new.get(ref)
                if kept is None and ref not in unit_errors and ref not in recompute:
                    kept = memo.statuses.get(ref)
                if kept is not None:
                    statuses[ref] = kept
        self.statuses = statuses
        # what each status reports
        unit_findings = Cow(memo.unit_findings if memo else None)
        unit_out = Cow(memo.unit_out if memo else None)
        for ref in (old_in_changed - units.keys()) | errors_new.keys():
            unit_out.pop(ref, None)
            unit_findings.pop(ref, None)
        out_paths: set[str] = set()
        for ref in order:
            before_out = unit_out.get(ref)
            computed = statuses.get(ref)
            if computed is None:
                unit_findings.pop(ref, None)
                unit_out.pop(ref, None)
            else:
                on_spec: list[Finding] = []
                on_out: list[Finding | None] = []
                for ostatus in computed.outputs:
                    spec_f, out_f = fresh.report(computed, ostatus, claimed_now)
                    if spec_f is not None:
                        on_spec.append(spec_f)
                    on_out.append(out_f)
                if on_spec:
                    unit_findings.put(ref, tuple(on_spec))
                else:
                    unit_findings.pop(ref, None)
                unit_out.put(ref, tuple(on_out))
            if ref in rebase and unit_out.get(ref) is before_out:
                continue  # what it reports on its files did not change
            for u in (units.get(ref), old_units.get(ref)):
                if u is not None:
                    out_paths.update(o.path for o in u.outputs)
        out_paths |= touched
        self.unit_findings, self.unit_out = unit_findings.result(), unit_out.result()
        # owners and the findings on output files, for the files whose units changed
        owners = Cow(memo.owners if memo else None)
        output_findings = Cow(memo.output_findings if memo else None)
        for path in out_paths:
            own: list[tuple[str, str]] = []
            found: list[Finding] = []
            for ref in by_path.get(path, ()):
                owner = statuses.get(ref)
                if owner is None:
                    continue
                outs = unit_out.get(ref, ())
                for i, ostatus in enumerate(owner.outputs):
                    if ostatus.output.path == path:
                        own.append((ref, ostatus.key))
                        if i < len(outs) and (f := outs[i]) is not None:
                            found.append(f)
            if own:
                owners.put(path, own)
            else:
                owners.pop(path, None)
            if found:
                output_findings.put(path, tuple(found))
            else:
                output_findings.pop(path, None)
        self.owners, self.output_findings = owners.result(), output_findings.result()
        # code described by sections, and orphan entries
        fresh.findings.clear()
        if lock_changed or memo is None:
            self.described_refs = tuple(r for r, e in lock_units.items() if e.described)
        else:
            self.described_refs = memo.described_refs
        with fresh.guard("comparing described code with the lock", LOCK_NAME):
            fresh.check_described(self.described_refs)
        self.described = list(fresh.findings)
        fresh.findings.clear()
        orphan_findings = dict(memo.orphan_findings) if memo and not lock_changed else {}
        if LOCK_NAME in self.changed_files:
            orphan_findings = {}
        adopted = set(adoptions.values())
        orphan_refs = sorted(r for r in orphans if r not in adopted)
        with fresh.guard("looking for orphan lock entries", LOCK_NAME):
            for ref in orphan_refs:
                if ref not in orphan_findings:
                    orphan_findings[ref] = fresh.orphan_finding(ref)
        self.orphan_findings = {r: orphan_findings[r] for r in orphan_refs if r in orphan_findings}
        self.orphans = tuple(orphan_refs)
        self.orphan_errors = list(fresh.findings)

    # --- the result ------------------------------------------------------------------

    def assemble(self, checks: StructureChecks, fresh: Freshness) -> Analysis:
        ws, graph = self.ws, self.graph
        units = graph.units
        findings: list[Finding] = [*ws.problems, *ws.unreadable.values()]
        for path in sorted(self.doc_findings):
            findings.extend(self.doc_findings[path])
        for name in StructureChecks.layout_order(checks.documents()):
            findings.extend(self.layout_findings.get(name, ()))
        findings.extend(self.req_findings)
        findings.extend(self.cycle_findings)
        findings.extend(self.adoption_errors)
        for ref in sorted(self.unit_errors, key=lambda r: _order(units[r])):
            findings.append(self.unit_errors[ref])
        for ref in sorted(self.unit_findings, key=lambda r: _order(units[r])):
            findings.extend(self.unit_findings[ref])
        findings.extend(self.described)
        findings.extend(self.orphan_errors)
        findings.extend(self.orphan_findings.values())
        if ws.lock is not None and ws.lock.conflicts:
            findings.extend(conflict_findings(ws, self.reader.text(LOCK_NAME)))
        disabled: DisabledCache = dict(self.memo.disabled) if self.memo else {}
        findings = tune(findings, ws.config.rules, ws.docs, disabled)
        memo = Memo(
            ws=ws,
            graph=graph,
            reader=self.reader,
            mark=self.mark,
            seen=self.reader.seen,
            doc_findings=self.doc_findings,
            layout_findings=self.layout_findings,
            req_sigs=self.req_sigs,
            req_findings=self.req_findings,
            req_docs=self.req_docs,
            id_docs=self.id_docs,
            req_by_id=self.req_by_id,
            statuses=self.statuses,
            unit_errors=self.unit_errors,
            unit_findings=self.unit_findings,
            unit_out=self.unit_out,
            by_path=self.by_path,
            claimed=self.claimed,
            keys=self.keys,
            lock_paths=self.lock_paths,
            described_refs=self.described_refs,
            orphans=self.orphan_set,
            orphan_findings=self.orphan_findings,
            unlocked=self.unlocked,
            adoptions=self.adoptions,
            owners=self.owners,
            output_findings=self.output_findings,
            policy=self.policy,
            disabled=disabled,
        )
        return Analysis(
            # shared with the memo: an analysis is not changed once made
            units=self.statuses,
            findings=tuple(sorted(findings, key=Finding.sort_key)),
            output_findings=self.output_findings,
            owners=self.owners,
            orphans=self.orphans,
            memo=memo,
        )


def _comparable(old: Workspace, new: Workspace) -> bool:
    """Whether an analysis of `old` may be reused for `new`: same root and config."""
    return old.root == new.root and old.config is new.config


def run(
    ws: Workspace, reader: OutputReader, previous: tuple[Workspace, Analysis] | None
) -> Analysis:
    """The analysis of `ws`, reusing `previous` (its memo: what was analysed, whatever
    snapshot the caller pairs it with) when the root and config are the same."""
    memo = previous[1].memo if previous is not None else None
    if not isinstance(memo, Memo) or not _comparable(memo.ws, ws):
        memo = None
    with gc_paused():
        return _Pass(ws, reader, memo).run()
