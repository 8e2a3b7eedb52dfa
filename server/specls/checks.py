"""The structure checks: broken references, duplicate IDs, cycles, bad tags, layout rules.

Pure functions of a workspace snapshot (and the output reader, for whether a
referenced file exists); freshness is in `freshness.py`.
"""

from __future__ import annotations

from collections import defaultdict

from specls import code
from specls.collect import Collector
from specls.dialect import Directive, DirectiveKind, RequirementKind, SpecDocument
from specls.findings import Code, Finding, Related, Severity
from specls.outputs import OutputReader
from specls.paths import forbidden_output
from specls.text import Range
from specls.units import Graph, make_unit
from specls.workspace import Workspace, resolve_path


class StructureChecks(Collector):
    def __init__(self, ws: Workspace, reader: OutputReader, graph: Graph) -> None:
        super().__init__()
        self.ws = ws
        self.reader = reader
        self.graph = graph

    def check_documents(self) -> None:
        for doc in self.ws.docs.values():
            with self.guard(f"checking {doc.path}", doc.path):
                self.check_document(doc)

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
            why = forbidden_output(self.ws.root, self.ws.config, resolved, self.ws.spec_paths)
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
                f"file={file} is not an output declared by this section (add [@generate]({path}))",
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


def expand_requirement_ref(text: str) -> list[str]:
    """`4.1-4.3` → 4.1, 4.2, 4.3; anything else stands for itself."""
    if "-" in text and "." in text and not text.startswith(("FR", "SC", "NFR")):
        start, _, end = text.partition("-")
        major, _, lo = start.partition(".")
        end_major, _, hi = end.partition(".")
        if lo.isdigit() and hi.isdigit() and major == end_major:
            return [f"{major}.{i}" for i in range(int(lo), int(hi) + 1)]
    return [text]


def check_structure(ws: Workspace, reader: OutputReader, graph: Graph) -> list[Finding]:
    """Every structure finding of the workspace (documents, requirements, cycles)."""
    checks = StructureChecks(ws, reader, graph)
    checks.check_documents()
    with checks.guard("checking requirements", ""):
        checks.check_requirements()
    with checks.guard("looking for @use cycles", ""):
        checks.check_cycles()
    return checks.findings
