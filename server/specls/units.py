"""Generation units and the `@use` graph between sections, with their hashes.

Pure functions of a `Workspace` (no disk): the spec hash of a unit, what it
depends on, and the reverse index that tells which units a change reaches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from specls.dialect import Directive, DirectiveKind, Section, SpecDocument
from specls.text import normalize_text, sha256_text
from specls.workspace import Workspace, resolve_path, unit_ref


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


def _hash_texts(texts: Iterator[str]) -> str:
    return sha256_text(normalize_text("\n".join(texts)))


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


class Graph:
    """Units of a workspace snapshot and the `@use` edges between sections."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._closures: dict[str, list[str]] = {}
        self._deps: dict[str, list[Dependency]] = {}
        self._hashes: dict[str, str] = {}
        self._files: dict[str, set[str]] = {}

    @cached_property
    def units(self) -> dict[str, Unit]:
        out: dict[str, Unit] = {}
        for doc in sorted(self.ws.docs.values(), key=lambda d: d.path):
            for section in doc.sections:
                if section.is_unit:
                    unit = make_unit(doc, section)
                    out.setdefault(unit.ref, unit)
        return out

    def dependencies(self, doc: SpecDocument, section: Section) -> list[Dependency]:
        deps = []
        for s in owned_sections(doc, section):
            for d in s.directives:
                if d.kind is not DirectiveKind.USE:
                    continue
                ref = self.ws.target_ref(doc.path, d)
                if ref is not None:
                    deps.append(Dependency(d, ref, None))
                elif d.path:
                    deps.append(Dependency(d, None, resolve_path(doc.path, d.path)))
        return deps

    @cached_property
    def edges(self) -> dict[str, list[str]]:
        """Section ref → the section/document refs it `@use`s (resolvable ones only)."""
        out: dict[str, list[str]] = {}
        for ref in self.ws.sections_by_ref:
            targets = [
                d.ref
                for d in self.ref_dependencies(ref)
                if d.ref is not None and self.ws.section(d.ref) is not None
            ]
            if targets:
                out[ref] = targets
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
        seen: set[str] = set()
        stack = list(self.edges.get(ref, ()))
        while stack:
            nxt = stack.pop()
            if nxt in seen or nxt == ref:
                continue
            seen.add(nxt)
            stack.extend(self.edges.get(nxt, ()))
        result = self._closures[ref] = sorted(seen)
        return result

    def ref_dependencies(self, ref: str) -> list[Dependency]:
        cached = self._deps.get(ref)
        if cached is None:
            found = self.ws.section(ref)
            cached = self._deps[ref] = self.dependencies(*found) if found else []
        return cached

    def ref_hash(self, ref: str) -> str | None:
        cached = self._hashes.get(ref)
        if cached is None:
            found = self.ws.section(ref)
            if found is None:
                return None
            cached = self._hashes[ref] = section_hash(*found)
        return cached

    def dependents(self, refs: set[str]) -> set[str]:
        """Units a change to any of `refs` reaches (the reverse `@use` index)."""
        reached = set(refs)
        stack = list(refs)
        while stack:
            for src in self.reverse_edges.get(stack.pop(), ()):
                if src not in reached:
                    reached.add(src)
                    stack.append(src)
        return {r for r in reached if r in self.units}

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

    def inputs_hash(self, unit: Unit, file_hash: dict[str, str | None]) -> str:
        """The unit's spec hash with those of everything it depends on, transitively."""
        h = hashlib.sha256(unit.spec_hash.encode())
        for ref in self.closure(unit.ref):
            digest = self.ref_hash(ref)
            if digest is not None:
                h.update(f"\n{ref}={digest}".encode())
        for f in sorted(self.use_files(unit)):
            h.update(f"\nfile:{f}={file_hash.get(f)}".encode())
        return "sha256:" + h.hexdigest()

    def use_files(self, unit: Unit) -> set[str]:
        cached = self._files.get(unit.ref)
        if cached is None:
            cached = set()
            for ref in [unit.ref, *self.closure(unit.ref)]:
                cached.update(d.file for d in self.ref_dependencies(ref) if d.file)
            self._files[unit.ref] = cached
        return cached
