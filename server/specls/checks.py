"""The structure checks: broken references, duplicate IDs, cycles, bad tags, layout rules.

Requirement IDs are checked through each document's layout (`specls.layouts`):
its scope, how its references expand, which IDs must be traced; the layout's
own rules (OpenSpec's) come from `Layout.check`.

Pure functions of a workspace snapshot (and the output reader, for whether a
referenced file exists); freshness is in `freshness.py`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from specls import code, layouts
from specls.collect import Collector
from specls.dialect import Directive, DirectiveKind, Requirement, Section, SpecDocument
from specls.findings import Code, Finding, Related, Severity
from specls.layouts import Layout, layout_of
from specls.layouts.base import EVERY
from specls.outputs import OutputReader
from specls.paths import OutputPolicy
from specls.text import Range
from specls.units import Graph, Unit, make_unit
from specls.workspace import Workspace, resolve_path, unit_ref


class StructureChecks(Collector):
    def __init__(
        self,
        ws: Workspace,
        reader: OutputReader,
        graph: Graph,
        policy: OutputPolicy | None = None,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.reader = reader
        self.graph = graph
        self._documents: list[SpecDocument] | None = None
        self.policy = policy or OutputPolicy(ws.root, ws.config, ws.spec_paths, reader.real_paths)

    def check_documents(self) -> None:
        for doc in self.documents():
            self.check_one(doc)
        for name in self.layout_order(self.documents()):
            self.check_layout(name)

    def check_one(self, doc: SpecDocument) -> list[Finding]:
        """One document's own findings (what `check_document` adds, or its internal error)."""
        start = len(self.findings)
        with self.guard(f"checking {doc.path}", doc.path):
            self.check_document(doc)
        return self.findings[start:]

    def check_document(self, doc: SpecDocument) -> None:
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
                    f"unknown directive '@{m.text}' (expected @generate, @test, @use or @describe)",
                    doc.path,
                    m.range,
                )
            for d in section.directives:
                self.check_directive(doc, d)
            for block in section.code_blocks:
                self.check_file_tag(doc, section.index, block.file, block.file_range)

    def check_directive(self, doc: SpecDocument, d: Directive) -> None:
        if not d.path:
            if d.kind is DirectiveKind.USE and d.fragment:
                if self.graph.section(f"{doc.path}#{d.fragment}") is None:
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
        if resolved is None or self.policy.real.escapes(resolved):
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
                if d.fragment and self.graph.section(target) is None:
                    self.add(
                        Code.BROKEN_SECTION_REF,
                        Severity.ERROR,
                        f"no section '#{d.fragment}' in {resolved}",
                        doc.path,
                        d.target_range,
                    )
                return
        if d.kind.is_output:
            why = self.policy.forbidden(resolved)
            if why is not None:
                self.add(Code.FORBIDDEN_OUTPUT, Severity.ERROR, why, doc.path, d.target_range)
                return
            if d.fragment and code.language_for_path(resolved) is None:
                self.add(
                    Code.UNSUPPORTED_SYMBOL_LANGUAGE,
                    Severity.ERROR,
                    f"cannot locate symbol '{d.fragment}': no parser for {resolved}",
                    doc.path,
                    d.target_range,
                )
            return  # a missing output is a freshness status, not a broken link
        if d.kind is DirectiveKind.USE and _is_package(d.path) and not self.reader.exists(resolved):
            return  # `[@use](python-dotenv)`: a package the generator uses, not a file
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
        declared = {o.key for o in self.unit_of(doc, owner).outputs} if owner.is_unit else set()
        key = f"{resolved}#{frag}" if frag else resolved
        if key not in declared:
            self.add(
                Code.BAD_FILE_TAG,
                Severity.ERROR,
                f"file={file} is not an output declared by this section (add [@generate]({path}))",
                doc.path,
                rng,
            )

    def unit_of(self, doc: SpecDocument, section: Section) -> Unit:
        """The graph's unit of a section (made again only for a duplicate section ID)."""
        unit = self.graph.units.get(unit_ref(doc.path, section))
        return unit if unit is not None and unit.section is section else make_unit(doc, section)

    def documents(self) -> list[SpecDocument]:
        """By path: which of two duplicate definitions is "first" must not depend on
        the order edits reached the workspace (a fresh load and an editor session
        must report the same findings)."""
        if self._documents is None:
            self._documents = sorted(self.ws.docs.values(), key=lambda d: d.path)
        return self._documents

    @staticmethod
    def layout_order(docs: Iterable[SpecDocument]) -> list[str]:
        """The layouts of `docs` (sorted by path), each where its first document is."""
        return list(dict.fromkeys(doc.layout for doc in docs))

    def check_layout(self, name: str) -> list[Finding]:
        """One layout's own rules, over the documents it scanned."""
        start = len(self.findings)
        with self.guard(f"checking the {name} layout's rules", ""):
            layout = layouts.by_name(name)
            if type(layout).check is not Layout.check:  # the default has no rules
                docs = [doc for doc in self.documents() if doc.layout == name]
                self.findings.extend(layout.check(docs))
        return self.findings[start:]

    def check_requirements(self) -> None:
        """Duplicate IDs, references to nothing, definitions nobody references.

        Each document's layout scopes its IDs (a Spec Kit or Kiro feature
        folder: a reference never resolves into another feature) and expands
        its references (`4.1-4.3`, `T031-T051`, `All requirements`).
        """
        defined: dict[tuple[str, str], tuple[str, Requirement, Layout]] = {}
        by_id: dict[str, list[str]] = defaultdict(list)
        refs: set[tuple[str, str]] = set()
        everything: set[str] = set()  # scopes where a reference names every requirement
        for doc in self.documents():
            layout = layout_of(doc)
            scope = layout.scope(doc.path)
            for section in doc.sections:
                for r in section.requirements:
                    if not layout.referable(r):
                        continue
                    key = (scope, r.id)
                    if key in defined and layout.unique(r):
                        first_path, first, _ = defined[key]
                        self.add(
                            Code.DUPLICATE_REQUIREMENT,
                            Severity.ERROR,
                            f"{layout.noun(r)} {r.id} is defined twice",
                            doc.path,
                            r.range,
                            related=(Related(first_path, first.range, "first definition"),),
                        )
                        continue
                    if key not in defined:
                        defined[key] = (doc.path, r, layout)
                        by_id[r.id].append(scope)
        for doc in self.documents():
            layout = layout_of(doc)
            scope = layout.scope(doc.path)

            def known(rid: str, scope: str = scope) -> bool:
                return (scope, rid) in defined

            for section in doc.sections:
                for m in section.requirement_refs:
                    missing: list[str] = []
                    for rid in layout.expand(m.text, known):
                        if rid == EVERY:
                            everything.add(scope)
                        elif (scope, rid) in defined:
                            refs.add((scope, rid))
                        elif not layout.strict_scope and by_id.get(rid):
                            refs.update((s, rid) for s in by_id[rid])
                        else:
                            missing.append(rid)
                    if missing:
                        where = f" in {scope}/" if layout.strict_scope and scope else ""
                        self.add(
                            Code.BROKEN_REQUIREMENT_REF,
                            Severity.WARNING,
                            f"no {layout.noun_of(missing[0])} {missing[0]} is defined{where}"
                            if len(missing) == 1
                            else f"no {layout.noun_of(missing[0])}s {', '.join(missing)} are"
                            f" defined{where}",
                            doc.path,
                            m.range,
                        )
        # A feature whose files never cite a requirement ID traces by user story, not
        # by ID: "never referenced" would be noise on each of its requirements.
        tracing = {s for (s, rid) in refs if defined[(s, rid)][2].must_trace(defined[(s, rid)][1])}
        for (scope, rid), (path, r, layout) in defined.items():
            if not layout.must_trace(r) or scope in everything:
                continue
            if layout.strict_scope and scope not in tracing:
                continue
            if (scope, rid) in refs or any((scope, p) in refs for p in layout.parents(rid)):
                continue
            self.add(
                Code.UNTRACED_REQUIREMENT,
                Severity.INFO,
                f"{layout.noun(r)} {rid} is never referenced",
                path,
                r.range,
            )

    def check_cycles(self) -> None:
        for cycle in self.graph.cycles:
            first = self.graph.section(cycle[0])
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


_PACKAGE = re.compile(r"@[a-z0-9][\w.-]*/[a-z0-9][\w.-]*|[A-Za-z0-9][\w-]*")


def _is_package(path: str) -> bool:
    """A bare name (`python-dotenv`, `@scope/pkg`) rather than a path to a file."""
    return _PACKAGE.fullmatch(path) is not None


def expand_requirement_ref(text: str, layout: Layout | None = None) -> list[str]:
    """The IDs a reference stands for (`4.1-4.3` → 4.1, 4.2, 4.3), as `layout` reads it.

    Without a layout, as the plain specls layout reads it (every layout's forms).
    """
    return (layout or layouts.FALLBACK).expand(text)


def check_structure(ws: Workspace, reader: OutputReader, graph: Graph) -> list[Finding]:
    """Every structure finding of the workspace (documents, requirements, cycles)."""
    checks = StructureChecks(ws, reader, graph)
    checks.check_documents()
    with checks.guard("checking requirements", ""):
        checks.check_requirements()
    with checks.guard("looking for @use cycles", ""):
        checks.check_cycles()
    return checks.findings
