"""Generation units and the `@use` graph between sections, with their hashes.

Pure functions of a `Workspace` (no disk): the spec hash of a unit, what it
depends on, and the reverse index that tells which units a change reaches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from specls.dialect import Directive, DirectiveKind, Section, SpecDocument
from specls.text import normalize_text, sha256_text
from specls.workspace import Workspace, resolve_path, unit_ref

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Output:
    key: str  # "src/x.py" or "src/x.py#Sym", workspace-relative
    path: str
    symbol: str | None
    directive: Directive


@dataclass(frozen=True, slots=True)
class Unit:
    ref: str
    doc: SpecDocument
    section: Section
    directives: tuple[Directive, ...]  # own and those of non-unit subsections
    outputs: tuple[Output, ...]  # @generate and @test that resolve inside the workspace
    spec_hash: str

    @property
    def title(self) -> str:
        return self.section.title or self.doc.path


def owned_sections(doc: SpecDocument, section: Section) -> Iterator[Section]:
    """The section and its subsections that are not units themselves (they own their text)."""
    yield section
    for child_index in section.children:
        child = doc.sections[child_index]
        if not child.is_unit:
            yield from owned_sections(doc, child)


def described_directives(doc: SpecDocument, section: Section) -> tuple[Directive, ...]:
    """The `@describe`s a section answers for: a unit's include those of the
    subsections it owns; any other section's are its own."""
    sections = owned_sections(doc, section) if section.is_unit else iter((section,))
    return tuple(
        d for s in sections for d in s.directives if d.kind is DirectiveKind.DESCRIBE and d.path
    )


def subtree(doc: SpecDocument, section: Section) -> Iterator[Section]:
    yield section
    for child_index in section.children:
        yield from subtree(doc, doc.sections[child_index])


_HASHES: dict[tuple[str, ...], str] = {}  # texts -> their hash: a re-parse keeps most texts
_HASHES_MAX = 1 << 16


def _hash_texts(texts: Iterable[str]) -> str:
    key = tuple(texts)
    found = _HASHES.get(key)
    if found is None:
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        found = _HASHES[key] = sha256_text(normalize_text("\n".join(key)))
    return found


def targets_whole_document(section: Section) -> bool:
    """A Tessl-style `## Target` section: its outputs are generated from the whole document."""
    return section.level > 0 and section.title.strip().casefold() == "target"


def section_hash(doc: SpecDocument, section: Section) -> str:
    """A `@use`d section's hash: its whole text, subsections included."""
    if section.level == 0 or targets_whole_document(section):
        return _hash_texts(s.own_text for s in doc.sections)
    return _hash_texts(s.own_text for s in subtree(doc, section))


def make_unit(doc: SpecDocument, section: Section) -> Unit:
    sections = list(owned_sections(doc, section))
    directives = tuple(d for s in sections for d in s.directives)
    outputs = []
    for d in directives:
        if d.kind.is_output:
            path = resolve_path(doc.path, d.path)
            if path is not None and d.path:
                key = f"{path}#{d.fragment}" if d.fragment else path
                outputs.append(Output(key, path, d.fragment, d))
    return Unit(
        ref=unit_ref(doc.path, section),
        doc=doc,
        section=section,
        directives=directives,
        outputs=tuple(outputs),
        spec_hash=_hash_texts(
            s.own_text for s in (doc.sections if targets_whole_document(section) else sections)
        ),
    )


@dataclass(frozen=True, slots=True)
class Dependency:
    directive: Directive
    ref: str | None  # a section or document reference
    file: str | None  # a hand-written file (workspace-relative)


class _DocGraph:
    """What the graph knows of one document: its sections by ID, its units, its
    `@use` dependencies and edges. Kept while the document and the documents it
    points into keep their section IDs (`Graph.updated`)."""

    __slots__ = ("_hashes", "deps", "doc", "edges", "files", "ids", "targets", "units")

    def __init__(self, doc: SpecDocument, ids: dict[str, Section], units: dict[str, Unit]) -> None:
        self.doc = doc
        self.ids = ids  # section id -> its first section ("" is the preamble)
        self.units = units  # ref -> unit, in section order
        self.deps: dict[str, list[Dependency]] = {}  # ref -> its @use dependencies
        self.edges: dict[str, list[str]] = {}  # ref -> sections/documents it @uses
        self.files: dict[str, frozenset[str]] = {}  # ref -> hand-written files it @uses
        self.targets: frozenset[str] = frozenset()  # every path its directives resolve to
        self._hashes: dict[str, str] | None = None

    @classmethod
    def of(cls, doc: SpecDocument, reuse: _DocGraph | None = None) -> _DocGraph:
        if reuse is not None and reuse.doc is doc:
            return cls(doc, reuse.ids, reuse.units)
        ids: dict[str, Section] = {}
        units: dict[str, Unit] = {}
        for section in doc.sections:
            ids.setdefault(section.id, section)
            if section.is_unit:
                unit = make_unit(doc, section)
                units.setdefault(unit.ref, unit)
        return cls(doc, ids, units)

    def link(
        self, ws: Workspace, section: Callable[[str], tuple[SpecDocument, Section] | None]
    ) -> None:
        """Resolve the `@use`s against the workspace (which paths are specs, which IDs exist)."""
        doc = self.doc
        targets: set[str] = set()
        for s in doc.sections:
            for d in s.directives:
                if d.path:
                    resolved = resolve_path(doc.path, d.path)
                    if resolved is not None:
                        targets.add(resolved)
        self.targets = frozenset(targets)
        for s in self.ids.values():
            deps = _dependencies(ws, doc, s)
            if not deps:
                continue
            ref = unit_ref(doc.path, s)
            self.deps[ref] = deps
            edges = [d.ref for d in deps if d.ref is not None and section(d.ref) is not None]
            if edges:
                self.edges[ref] = edges
            files = frozenset(d.file for d in deps if d.file)
            if files:
                self.files[ref] = files

    def refs(self) -> set[str]:
        return {unit_ref(self.doc.path, s) for s in self.ids.values()} | {self.doc.path}

    def hashes(self) -> dict[str, str]:
        """Ref -> section hash of every section (and the document's own ref)."""
        if self._hashes is None:
            doc = self.doc
            out = {unit_ref(doc.path, s): section_hash(doc, s) for s in self.ids.values()}
            out[doc.path] = section_hash(doc, doc.sections[0])
            self._hashes = out
        return self._hashes


def _dependencies(ws: Workspace, doc: SpecDocument, section: Section) -> list[Dependency]:
    deps = []
    for s in owned_sections(doc, section):
        for d in s.directives:
            if d.kind is not DirectiveKind.USE:
                continue
            ref = ws.target_ref(doc.path, d)
            if ref is not None:
                deps.append(Dependency(d, ref, None))
            elif d.path:
                deps.append(Dependency(d, None, resolve_path(doc.path, d.path)))
    return deps


class Graph:
    """Units of a workspace snapshot and the `@use` edges between sections.

    `Graph.updated(previous, ws, changed)` builds the graph of a changed
    snapshot from the previous one: only the changed documents, and those
    whose `@use`s point into a document that appeared, vanished or changed
    its section IDs, are linked again; closures and `@use` files are kept
    for the sections no changed edge reaches.
    """

    def __init__(self, ws: Workspace, _docs: dict[str, _DocGraph] | None = None) -> None:
        self.ws = ws
        self._closures: dict[str, list[str]] = {}
        self._files: dict[str, set[str]] = {}
        self._pieces: dict[str, bytes] = {}  # ref -> its line of an inputs hash
        self.referrers: dict[str, frozenset[str]] = {}  # path -> docs whose directives name it
        self.changed_edges: set[str] = set()  # (updated graphs) refs whose @use edges changed
        self.relinked: set[str] = set()  # (updated graphs) docs linked again
        self.reset: set[str] = set()  # (updated graphs) refs whose closure or files changed
        self.same_units = False  # (updated graphs) the previous graph's units, in its order
        if _docs is not None:
            self.docs = _docs
            return
        self.docs = {path: _DocGraph.of(doc) for path, doc in ws.docs.items()}
        for g in self.docs.values():
            g.link(ws, self.section)
        self.referrers = _referrers(self.docs.values())

    @classmethod
    def updated(cls, previous: Graph, ws: Workspace, changed: set[str]) -> Graph:
        """The graph of `ws`, where only the documents at `changed` paths differ (by
        identity) from `previous.ws`, or appeared, vanished or became unreadable."""
        old = previous.docs
        docs = dict(old)
        moved: set[str] = set()  # paths whose presence or section IDs changed
        for path in changed:
            doc = ws.docs.get(path)
            before = old.get(path)
            if doc is None:
                docs.pop(path, None)
                if before is not None:
                    moved.add(path)
                continue
            g = _DocGraph.of(doc, before)
            docs[path] = g
            if before is None or before.ids.keys() != g.ids.keys():
                moved.add(path)
        moved |= {p for p in changed if (p in previous.ws.spec_paths) != (p in ws.spec_paths)}
        relink = {p for p in changed if p in docs}
        for path in moved:
            relink.update(r for r in previous.referrers.get(path, ()) if r in docs)
        graph = cls(ws, docs)
        graph.relinked = relink
        for path in relink:
            g = docs[path]
            if g is old.get(path):
                g = docs[path] = _DocGraph(g.doc, g.ids, g.units)
                g._hashes = old[path]._hashes
            g.link(ws, graph.section)
        # the reverse index of paths, edited for the documents linked again
        referrers = dict(previous.referrers)
        touched: dict[str, set[str]] = {}
        for path in relink | (changed - set(docs)):
            before = old.get(path)
            after = docs.get(path)
            for t in (before.targets if before else frozenset()) - (
                after.targets if after else frozenset()
            ):
                touched.setdefault(t, set(referrers.get(t, ()))).discard(path)
            for t in after.targets if after else frozenset():
                touched.setdefault(t, set(referrers.get(t, ()))).add(path)
        for t, srcs in touched.items():
            if srcs:
                referrers[t] = frozenset(srcs)
            else:
                referrers.pop(t, None)
        graph.referrers = referrers
        # edges
        edges = dict(previous.edges)
        changed_edges: set[str] = set()
        for path in relink | (changed - set(docs)):
            before = old.get(path)
            after = docs.get(path)
            old_edges = before.edges if before else {}
            new_edges = after.edges if after else {}
            for ref in old_edges.keys() | new_edges.keys():
                if old_edges.get(ref) != new_edges.get(ref):
                    changed_edges.add(ref)
                    if ref in new_edges:
                        edges[ref] = new_edges[ref]
                    else:
                        edges.pop(ref, None)
        graph.__dict__["edges"] = edges
        graph.changed_edges = changed_edges
        if changed_edges:
            reverse = dict(previous.reverse_edges)
            for ref in changed_edges:
                before_t = set(previous.edges.get(ref, ()))
                after_t = set(edges.get(ref, ()))
                for t in before_t - after_t:
                    srcs = reverse.get(t, set()) - {ref}
                    if srcs:
                        reverse[t] = srcs
                    else:
                        reverse.pop(t, None)
                for t in after_t - before_t:
                    reverse[t] = reverse.get(t, set()) | {ref}
            graph.__dict__["reverse_edges"] = reverse
        else:
            graph.__dict__["reverse_edges"] = previous.reverse_edges
            graph.__dict__["cycles"] = previous.cycles
        # units, in the order of a full build when the set of units is the same
        same_units = all(_unit_refs(old.get(p)) == _unit_refs(docs.get(p)) for p in changed)
        if same_units:
            units = dict(previous.units)
            for p in changed:
                if p in docs:
                    units.update(docs[p].units)
            graph.__dict__["units"] = units
            graph.same_units = True
        # what may be kept: closures no changed edge reaches, files and hashes of
        # sections in documents that did not change
        gone_closures = previous.reaching(changed_edges) | graph.reaching(changed_edges)
        files_changed = {
            ref
            for p in relink | (changed - set(docs))
            for ref in _files(old.get(p)).keys() | _files(docs.get(p)).keys()
            if _files(old.get(p)).get(ref) != _files(docs.get(p)).get(ref)
        }
        gone_files = previous.reaching(files_changed) | graph.reaching(files_changed)
        gone_files |= gone_closures
        graph.reset = gone_files
        stale = {r for p in changed if p in old for r in old[p].refs()}
        # shared while no edge changed: what either graph adds holds for both
        graph._closures = _without(previous._closures, gone_closures)
        graph._files = _without(previous._files, gone_files)
        graph._pieces = _without(previous._pieces, stale)
        return graph

    def section(self, ref: str) -> tuple[SpecDocument, Section] | None:
        """The section (or document, for a bare path) a reference names."""
        path, hash_, fragment = ref.partition("#")
        g = self.docs.get(path)
        if g is None or (hash_ and not fragment):
            return None
        found = g.ids.get(fragment)
        return (g.doc, found) if found is not None else None

    @cached_property
    def units(self) -> dict[str, Unit]:
        out: dict[str, Unit] = {}
        for path in sorted(self.docs):
            for ref, unit in self.docs[path].units.items():
                out.setdefault(ref, unit)
        return out

    def dependencies(self, doc: SpecDocument, section: Section) -> list[Dependency]:
        return _dependencies(self.ws, doc, section)

    @cached_property
    def edges(self) -> dict[str, list[str]]:
        """Section ref → the section/document refs it `@use`s (resolvable ones only)."""
        out: dict[str, list[str]] = {}
        for g in self.docs.values():
            out.update(g.edges)
        return out

    @cached_property
    def reverse_edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for src, targets in self.edges.items():
            for t in targets:
                out.setdefault(t, set()).add(src)
        return out

    def closure(self, ref: str) -> list[str]:
        """Every section reference `ref` depends on, transitively (cycles cut); memoized."""
        cached = self._closures.get(ref)
        if cached is not None:
            return cached
        edges = self.edges
        seen: set[str] = set()
        stack = list(edges.get(ref, ()))
        while stack:
            nxt = stack.pop()
            if nxt in seen or nxt == ref:
                continue
            seen.add(nxt)
            done = self._closures.get(nxt)
            if done is not None:  # a closure known already: take it whole
                seen.update(done)
                seen.discard(ref)
                continue
            stack.extend(edges.get(nxt, ()))
        result = self._closures[ref] = sorted(seen)
        return result

    def ref_dependencies(self, ref: str) -> list[Dependency]:
        g = self.docs.get(ref.partition("#")[0])
        return g.deps.get(ref, []) if g is not None else []

    def ref_hash(self, ref: str) -> str | None:
        g = self.docs.get(ref.partition("#")[0])
        if g is None or self.section(ref) is None:
            return None
        return g.hashes().get(ref)

    def section_hashes(self, path: str) -> dict[str, str]:
        """Ref -> hash of every section of a document (empty when it is not a spec)."""
        g = self.docs.get(path)
        return g.hashes() if g is not None else {}

    def reaching(self, refs: set[str]) -> set[str]:
        """Every section ref from which one of `refs` can be reached, `refs` included."""
        reached = set(refs)
        stack = list(refs)
        reverse = self.reverse_edges
        while stack:
            for src in reverse.get(stack.pop(), ()):
                if src not in reached:
                    reached.add(src)
                    stack.append(src)
        return reached

    def dependents(self, refs: set[str]) -> set[str]:
        """Units a change to any of `refs` reaches (the reverse `@use` index)."""
        units = self.units
        return {r for r in self.reaching(refs) if r in units}

    @cached_property
    def cycles(self) -> list[list[str]]:
        """Each `@use` cycle once, as the list of refs around it."""
        found: list[list[str]] = []
        seen_sets: set[frozenset[str]] = set()
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        path: list[str] = []
        # An explicit stack of (node, its remaining successors): a 1,000-long
        # `@use` chain must not exhaust Python's recursion limit.
        for start in sorted(self.edges):
            if start in state:
                continue
            state[start] = 1
            path.append(start)
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(self.edges.get(start, ())))]
            while stack:
                node, successors = stack[-1]
                nxt = next(successors, None)
                if nxt is None:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                elif state.get(nxt) == 1:
                    cycle = path[path.index(nxt) :]
                    key = frozenset(cycle)
                    if key not in seen_sets:
                        seen_sets.add(key)
                        found.append([*cycle, nxt])
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, iter(self.edges.get(nxt, ()))))
        return found

    def inputs_hash(self, unit: Unit, file_hash: Mapping[str, str | None]) -> str:
        """The unit's spec hash with those of everything it depends on, transitively."""
        h = hashlib.sha256(unit.spec_hash.encode())
        pieces = self._pieces
        closure = self.closure(unit.ref)
        try:
            h.update(b"".join([pieces[ref] for ref in closure]))
        except KeyError:
            for ref in closure:
                if ref not in pieces:
                    self._fill_pieces(ref)
            h.update(b"".join([pieces[ref] for ref in closure]))
        for f in sorted(self.use_files(unit)):
            h.update(f"\nfile:{f}={file_hash.get(f)}".encode())
        return "sha256:" + h.hexdigest()

    def _fill_pieces(self, ref: str) -> None:
        """The lines of `ref`'s document for inputs hashes: all at once, since the units
        of a changed document come one after another and use each other."""
        pieces = self._pieces
        g = self.docs.get(ref.partition("#")[0])
        if g is not None:
            hashes = g.hashes()
            if ref in hashes:
                for r, h in hashes.items():
                    if r not in pieces:
                        pieces[r] = f"\n{r}={h}".encode()
        if ref not in pieces:
            digest = self.ref_hash(ref)
            pieces[ref] = f"\n{ref}={digest}".encode() if digest is not None else b""

    def use_files(self, unit: Unit) -> set[str]:
        cached = self._files.get(unit.ref)
        if cached is None:
            cached = set()
            for ref in [unit.ref, *self.closure(unit.ref)]:
                g = self.docs.get(ref.partition("#")[0])
                if g is not None and ref in g.files:
                    cached.update(g.files[ref])
            self._files[unit.ref] = cached
        return cached


def _without(d: dict[str, T], keys: set[str]) -> dict[str, T]:
    """`d` without `keys`: `d` itself when there are none (what either graph adds to it
    then holds for both), else a copy (what one adds may not hold for the other)."""
    if not keys:
        return d
    out = dict(d)
    for k in keys:
        out.pop(k, None)
    return out


def _unit_refs(g: _DocGraph | None) -> list[str]:
    return list(g.units) if g is not None else []


def _files(g: _DocGraph | None) -> dict[str, frozenset[str]]:
    return g.files if g is not None else {}


def _referrers(docs: Iterable[_DocGraph]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for g in docs:
        for t in g.targets:
            out.setdefault(t, set()).add(g.doc.path)
    return {t: frozenset(s) for t, s in out.items()}
