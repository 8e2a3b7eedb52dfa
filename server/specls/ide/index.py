"""The indexes editor requests are answered from, so that none scans the workspace.

A request (hover, definition, references, completion, symbols…) asks
"where is FR-003 defined?", "who `@use`s this section?", "which directives
name this file?": questions over every document. Walking every document per
request costs the size of the workspace on each keystroke-time request; this
module answers them from per-workspace indexes instead.

- `DocEntry`: what one document contributes (its definitions, `@use`s, the
  files its directives name, its requirement references, its symbol names),
  a pure function of the parsed document. Documents are shared by identity
  between the snapshots of a root when unchanged, and so are their entries.
- `Index`: the lookups over every entry, built lazily once per `Workspace`
  (the first request on a new snapshot) from the previous index of the same
  root. Only the documents that differ from the index's *base* are
  re-indexed (an overlay over the base's tables); when too many differ, a
  new base is built. So the work per snapshot is proportional to the change.

The answers are those of the scans they replace (`specls.query`,
`specls.traceability`), in the same order: tests compare both after random
edit sequences.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

from specls.dialect import (
    Directive,
    DirectiveKind,
    Marker,
    Requirement,
    Section,
    SpecDocument,
)
from specls.layouts import layout_for, layout_of
from specls.layouts.base import EVERY, Layout
from specls.query import Place
from specls.traceability import Feature, features
from specls.workspace import Workspace, resolve_path

V = TypeVar("V")

_DYNAMIC = "\0dynamic"  # a reference whose expansion depends on what its scope defines
_REBUILD = 16  # re-index from scratch once more documents than this (or 1/20) changed


# --- one document -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefItem:
    """A requirement reference as written, and the IDs it stands for when they are fixed."""

    doc: SpecDocument
    section: Section
    marker: Marker
    ordinal: int  # its place among the document's references
    ids: tuple[str, ...] | None  # None: the expansion asks which IDs the scope defines


@dataclass(frozen=True, slots=True)
class SymbolItem:
    """A section or a requirement as `workspace/symbol` lists it (before scoring)."""

    names: tuple[str, ...]  # what the query is matched against
    section: Section
    requirement: Requirement | None


def _static_ids(layout: Layout, text: str) -> tuple[str, ...] | None:
    """The IDs `text` stands for, or None when the answer depends on the definitions."""
    asked = False

    def probe(rid: str) -> bool:
        nonlocal asked
        asked = True
        return False

    ids = layout.expand(text, probe)
    return None if asked else tuple(ids)


def use_key(doc_path: str, d: Directive) -> str | None:
    """The reference a `@use` names when its path is a spec (`Workspace.target_ref`)."""
    if not d.path:
        return f"{doc_path}#{d.fragment}" if d.fragment else None
    resolved = resolve_path(doc_path, d.path)
    if resolved is None:
        return None
    return f"{resolved}#{d.fragment}" if d.fragment else resolved


class DocEntry:
    """What one parsed document contributes to the indexes (computed once per document)."""

    def __init__(self, doc: SpecDocument) -> None:
        self.doc = doc
        self.layout = layout_of(doc)
        self.scope = self.layout.scope(doc.path)
        self.base = self.layout.base_of(doc.path)

    @cached_property
    def sections_by_id(self) -> dict[str, Section]:
        out: dict[str, Section] = {}
        for s in self.doc.sections:
            out.setdefault(s.id, s)
        return out

    @cached_property
    def requirement_sections(self) -> list[Section]:
        """The sections that define requirements (completion skips the others)."""
        return [s for s in self.doc.sections if s.requirements]

    @cached_property
    def definitions(self) -> list[tuple[str, Place]]:
        """(id, place) of every definition a reference can name (`query._all_requirements`)."""
        doc, layout = self.doc, self.layout
        return [
            (r.id, Place(doc, s, r.range, r.text))
            for s in doc.sections
            for r in s.requirements
            if layout.referable(r)
        ]

    @cached_property
    def all_definitions(self) -> list[tuple[str, Place]]:
        """(id, place) of every definition, referable or not (an OpenSpec delta's names)."""
        doc = self.doc
        return [
            (r.id, Place(doc, s, r.range, r.text)) for s in doc.sections for r in s.requirements
        ]

    @cached_property
    def uses(self) -> list[tuple[str, tuple[Place, Directive]]]:
        doc = self.doc
        out = []
        for s in doc.sections:
            for d in s.directives:
                if d.kind is DirectiveKind.USE and (key := use_key(doc.path, d)) is not None:
                    out.append((key, (Place(doc, s, d.target_range, d.target), d)))
        return out

    @cached_property
    def files(self) -> list[tuple[str, tuple[Place, Directive]]]:
        doc = self.doc
        out = []
        for s in doc.sections:
            for d in s.directives:
                if d.path and (rel := resolve_path(doc.path, d.path)) is not None:
                    out.append((rel, (Place(doc, s, d.target_range, d.target), d)))
        return out

    @cached_property
    def refs(self) -> list[tuple[str, RefItem]]:
        """Each reference under every key a trace lookup may come with."""
        layout = self.layout
        out: list[tuple[str, RefItem]] = []
        n = 0
        for s in self.doc.sections:
            for m in s.requirement_refs:
                ids = _static_ids(layout, m.text)
                item = RefItem(self.doc, s, m, n, ids)
                n += 1
                if ids is None:
                    out.append((_DYNAMIC, item))
                    continue
                keys = dict.fromkeys(ids)
                for i in ids:
                    keys.update(dict.fromkeys(layout.parents(i)))
                out += [(k, item) for k in keys]
        return out

    @cached_property
    def task_paths(self) -> list[tuple[str, str]]:
        """(file, doc path) for each path written in a task line, both ways it may resolve."""
        out: list[tuple[str, str]] = []
        for s in self.doc.sections:
            for m in s.path_refs:
                for rel in (resolve_path("", m.text), resolve_path(self.doc.path, m.text)):
                    if rel is not None:
                        out.append((rel, self.doc.path))
        return out

    @cached_property
    def link_refs(self) -> list[tuple[str, str]]:
        """(section reference, doc path) of every link with a fragment, assuming a spec path."""
        out: list[tuple[str, str]] = []
        for s in self.doc.sections:
            for link in s.links:
                if not link.fragment:
                    continue
                resolved = resolve_path(self.doc.path, link.path) if link.path else self.doc.path
                if resolved is not None:
                    out.append((f"{resolved}#{link.fragment}", self.doc.path))
        return out

    @cached_property
    def symbols(self) -> tuple[list[SymbolItem], str, frozenset[str]]:
        """The workspace symbol candidates, their names lower-cased one a line, and the
        characters of those names: a query none of whose lines matches (or with a
        character none has) skips the document."""
        items: list[SymbolItem] = []
        for s in self.doc.sections:
            if s.level > 0:
                items.append(SymbolItem((s.title, s.id), s, None))
            items += [SymbolItem((r.id,), s, r) for r in s.requirements]
        joined = "\n".join(n.lower() for item in items for n in item.names if n)
        return items, joined, frozenset(joined)


# --- tables over every document --------------------------------------------------------


Extract = Callable[[DocEntry], Iterable[tuple[str, V]]]


class Table(Generic[V]):
    """key → items over every document, in document path order then document order."""

    def __init__(
        self,
        base: Mapping[str, list[tuple[str, V]]],
        changed: frozenset[str],  # paths whose base items are stale
        overlay: Mapping[str, list[tuple[str, V]]],  # the items of those paths now
    ) -> None:
        self.base = base
        self.changed = changed
        self.overlay = overlay

    @staticmethod
    def build(entries: Iterable[DocEntry], extract: Extract[V]) -> dict[str, list[tuple[str, V]]]:
        out: dict[str, list[tuple[str, V]]] = defaultdict(list)
        for e in sorted(entries, key=lambda e: e.doc.path):
            path = e.doc.path
            for key, item in extract(e):
                out[key].append((path, item))
        return dict(out)

    def get(self, key: str) -> list[V]:
        found = self.base.get(key, ())
        extra = self.overlay.get(key, ())
        if not self.changed:
            return [v for _, v in found]
        merged = [(p, v) for p, v in found if p not in self.changed]
        if extra:
            merged += extra
            merged.sort(key=lambda pv: pv[0])  # stable: each document's own order is kept
        return [v for _, v in merged]


class _Base:
    """The tables of one set of entries; shared by the indexes that overlay it."""

    def __init__(self, entries: Mapping[str, DocEntry]) -> None:
        self.entries = entries
        self._tables: dict[str, dict[str, list[tuple[str, object]]]] = {}
        self._lock = threading.Lock()

    def table(self, name: str, extract: Extract[V]) -> Mapping[str, list[tuple[str, V]]]:
        with self._lock:
            found = self._tables.get(name)
            if found is None:
                found = self._tables[name] = Table.build(self.entries.values(), extract)  # type: ignore[arg-type]
            return found  # type: ignore[return-value]


_TABLES: dict[str, Extract[object]] = {
    "definitions": lambda e: e.definitions,
    "all_definitions": lambda e: e.all_definitions,
    "uses": lambda e: e.uses,
    "files": lambda e: e.files,
    "refs": lambda e: e.refs,
    "task_paths": lambda e: e.task_paths,
    "link_refs": lambda e: e.link_refs,
    "scopes": lambda e: [(e.scope, e.doc.path)],
}


class Index:
    """Every lookup the editor features make over a workspace, from its entries."""

    def __init__(
        self,
        ws: Workspace,
        entries: dict[str, DocEntry],
        base: _Base,
        changed: frozenset[str],
        features: dict[str, tuple[tuple[SpecDocument, ...], list[Feature]]] | None = None,
    ) -> None:
        self.ws = ws
        self.entries = entries
        self._base = base
        self.changed = changed  # paths whose entry is not the base's
        self._tables: dict[str, Table[object]] = {}
        self._lock = threading.RLock()
        # scope → (its documents, its features), carried to the next index
        self._features: dict[str, tuple[tuple[SpecDocument, ...], list[Feature]]] = dict(
            features or {}
        )

    @classmethod
    def build(cls, ws: Workspace, previous: Index | None = None) -> Index:
        """The index of `ws`, re-using `previous` (an index of the same root) where the
        documents are the same objects."""
        old = previous.entries if previous is not None else {}
        entries: dict[str, DocEntry] = {}
        touched: set[str] = set()
        for rel, doc in ws.docs.items():
            e = old.get(rel)
            if e is None or e.doc is not doc:
                e = DocEntry(doc)
                touched.add(rel)
            entries[rel] = e
        touched.update(rel for rel in old if rel not in entries)
        if previous is None:
            return cls(ws, entries, _Base(entries), frozenset())
        base = previous._base
        candidates = previous.changed | touched
        changed = frozenset(r for r in candidates if entries.get(r) is not base.entries.get(r))
        if len(changed) > max(_REBUILD, len(entries) // 20):
            return cls(ws, entries, _Base(entries), frozenset(), previous._features)
        return cls(ws, entries, base, changed, previous._features)

    def table(self, name: str) -> Table[object]:
        with self._lock:
            found = self._tables.get(name)
            if found is None:
                extract = _TABLES[name]
                overlay = Table.build(
                    (self.entries[r] for r in self.changed if r in self.entries), extract
                )
                found = self._tables[name] = Table(
                    self._base.table(name, extract), self.changed, overlay
                )
            return found

    @cached_property
    def paths(self) -> list[str]:
        return sorted(self.entries)

    @cached_property
    def layouts(self) -> list[Layout]:
        """The distinct layouts of the documents (for the keys a trace lookup tries)."""
        seen: dict[int, Layout] = {}
        for e in self.entries.values():
            seen.setdefault(id(e.layout), e.layout)
        return list(seen.values())

    # --- sections ---------------------------------------------------------------------

    def section(self, ref: str) -> tuple[SpecDocument, Section] | None:
        """`Workspace.section` without building the map of every section."""
        path, sep, fragment = ref.partition("#")
        e = self.entries.get(path)
        if e is None or (sep and not fragment):
            return None
        s = e.sections_by_id.get(fragment)
        return (e.doc, s) if s is not None else None

    def section_uses(self, ref: str) -> list[tuple[Place, Directive]]:
        """Every `@use` that names the section (or document) `ref`."""
        if ref.partition("#")[0] not in self.entries:
            return []
        return self.table("uses").get(ref)  # type: ignore[return-value]

    def file_directives(self, rel: str) -> list[tuple[Place, Directive]]:
        """Every directive whose path resolves to `rel`."""
        return self.table("files").get(rel)  # type: ignore[return-value]

    def linking_docs(self, ref: str) -> list[str]:
        """The documents with a link whose fragment may name `ref` (a superset)."""
        return list(dict.fromkeys(self.table("link_refs").get(ref)))  # type: ignore[arg-type]

    def scope_docs(self, scope: str) -> list[SpecDocument]:
        """The documents of one scope, by path."""
        return [self.entries[p].doc for p in self.table("scopes").get(scope)]  # type: ignore[index]

    # --- requirements -----------------------------------------------------------------

    def _scope_of(self, doc: SpecDocument) -> str:
        e = self.entries.get(doc.path)
        return e.scope if e is not None and e.doc is doc else layout_of(doc).scope(doc.path)

    def all_requirements(self, rid: str) -> list[Place]:
        return self.table("definitions").get(rid)  # type: ignore[return-value]

    def requirement_definitions(self, rid: str, from_path: str | None = None) -> list[Place]:
        """`query.requirement_definitions`: in its own scope first, then a base spec's,
        then anywhere unless the layout scopes IDs strictly."""
        found = self.all_requirements(rid)
        if from_path is None:
            return found
        e = self.entries.get(from_path)
        layout = e.layout if e is not None else layout_for(from_path, self.ws.config)
        scope = layout.scope(from_path)
        base = layout.base_of(from_path)
        if base is not None and (changed := [p for p in found if self._scope_of(p.doc) == base]):
            return changed
        local = [p for p in found if self._scope_of(p.doc) == scope]
        if local or layout.strict_scope:
            return local
        return found

    def _defined_in(self, rid: str, scope: str) -> bool:
        return any(self._scope_of(p.doc) == scope for p in self.all_requirements(rid))

    def requirement_traces(self, rid: str, scope: str | None = None) -> list[Place]:
        """`query.requirement_traces`, over the references that may name `rid`."""
        defined = {self._scope_of(p.doc) for p in self.all_requirements(rid)}
        refs = self.table("refs")
        keys = [rid, EVERY, _DYNAMIC]
        for layout in self.layouts:
            keys += layout.parents(rid)
        candidates: dict[int, RefItem] = {}
        for key in dict.fromkeys(keys):
            for item in refs.get(key):
                candidates.setdefault(id(item), item)  # type: ignore[arg-type]
        found: list[tuple[str, int, int, Place]] = []
        if scope is not None:
            for p in self.table("all_definitions").get(rid):
                place: Place = p  # type: ignore[assignment]
                e = self.entries[place.doc.path]
                if e.base == scope:
                    found.append((place.doc.path, 0, 0, place))
        for item in candidates.values():
            e = self.entries[item.doc.path]
            layout, here = e.layout, e.scope
            if scope is not None and here != scope and (here in defined or layout.strict_scope):
                continue
            ids = item.ids
            if ids is None:

                def known(other: str, here: str = here) -> bool:
                    return self._defined_in(other, here)

                ids = tuple(layout.expand(item.marker.text, known))
            if (
                rid in ids
                or EVERY in ids
                or any(p in ids for p in layout.parents(rid))
                or any(rid in layout.parents(i) for i in ids)
            ):
                m = item.marker
                found.append(
                    (item.doc.path, 1, item.ordinal, Place(item.doc, item.section, m.range, m.text))
                )
        found.sort(key=lambda t: t[:3])
        return [t[3] for t in found]

    def requirement_uses(self, rid: str, from_path: str) -> list[Place]:
        """`query.requirement_uses`: the traces of the definitions `rid` names from `from_path`."""
        scopes = sorted(
            {self._scope_of(p.doc) for p in self.requirement_definitions(rid, from_path)}
        )
        if not scopes:
            return self.requirement_traces(rid)
        return [t for scope in scopes for t in self.requirement_traces(rid, scope)]

    # --- features (requirements, tasks and their traces per scope) -----------------------

    def scope_features(self, scope: str) -> list[Feature]:
        """`traceability.features` of one scope: only a scope's own documents trace its IDs."""
        docs = tuple(self.scope_docs(scope))
        with self._lock:
            cached = self._features.get(scope)
        if (
            cached is not None
            and len(cached[0]) == len(docs)
            and all(a is b for a, b in zip(cached[0], docs, strict=True))
        ):
            return cached[1]
        found = features(replace(self.ws, docs={d.path: d for d in docs}))
        with self._lock:
            self._features[scope] = (docs, found)
        return found

    def feature_of(self, doc: SpecDocument) -> Feature | None:
        scope = self._scope_of(doc)
        return next(
            (f for f in self.scope_features(scope) if (f.layout, f.scope) == (doc.layout, scope)),
            None,
        )

    def features_naming(self, rel: str) -> list[Feature]:
        """The features whose task lines may name `rel` (a superset), in `features` order."""
        scopes = {self.entries[p].scope for p in self.table("task_paths").get(rel)}  # type: ignore[index]
        found = [f for s in scopes for f in self.scope_features(s)]
        return sorted(found, key=lambda f: (f.layout, f.scope))

    # --- workspace symbols --------------------------------------------------------------

    def symbol_candidates(self, query: str) -> Iterator[tuple[SpecDocument, SymbolItem]]:
        """The symbols whose names may match `query` (its characters in order, any case):
        a document none of whose names does is skipped with one regex search."""
        chars = [c for c in query.lower() if c != " "]
        needed = frozenset(chars)
        # From a line start, each character the first of its kind after the previous
        # one (no backtracking): linear in the text, however the query ends.
        pattern = re.compile(
            "(?m)^" + "".join(f"[^\\n{re.escape(c)}]*{re.escape(c)}" for c in chars)
        )
        for path in self.paths:
            e = self.entries[path]
            items, joined, present = e.symbols
            if items and (not chars or (needed <= present and pattern.search(joined))):
                for item in items:
                    yield e.doc, item


# --- one index per workspace ------------------------------------------------------------

_lock = threading.Lock()
_recent: list[tuple[Workspace, Index]] = []  # the last few, newest last
_latest: dict[Path, Index] = {}  # per root: the newest index, the base of the next
_KEEP = 8


def index_for(ws: Workspace) -> Index:
    """The index of `ws` (built on first use, from the newest index of its root)."""
    with _lock:
        for w, idx in reversed(_recent):
            if w is ws:
                return idx
        previous = _latest.get(ws.root)
        idx = Index.build(ws, previous)
        _recent.append((ws, idx))
        del _recent[:-_KEEP]
        _latest[ws.root] = idx
        return idx
