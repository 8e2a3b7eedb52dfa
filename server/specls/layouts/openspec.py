"""OpenSpec: `openspec/specs/<capability>/spec.md` and `openspec/changes/<id>/**`.

Requirements are named by their heading (`### Requirement: User login`),
each with a SHALL/MUST statement and at least one `#### Scenario:`; a
change's spec deltas group them under `## ADDED|MODIFIED|REMOVED|RENAMED
Requirements`. Names are not referenced by ID elsewhere, so nothing traces
them and nothing renames them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from specls.dialect.model import Requirement, RequirementKind, SpecDocument, Symbols
from specls.findings import Code, Finding, Severity
from specls.layouts.base import Layout, definition

_REQ = re.compile(r"^#{3}\s+Requirement:\s*(.+?)\s*$")


class OpenSpec(Layout):
    name: ClassVar[str] = "openspec"
    globs: ClassVar[tuple[str, ...]] = ("openspec/specs/**/spec.md", "openspec/changes/**/*.md")

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        requirements = [
            definition(line_no, line, d, RequirementKind.OPENSPEC)
            for line_no, line in enumerate(lines)
            if line_no not in skip and (d := _REQ.match(line))
        ]
        return Symbols(tuple(requirements))

    def unique(self, req: Requirement) -> bool:
        # A delta repeats the name of the requirement it changes.
        return req.kind is not RequirementKind.OPENSPEC

    def check(self, docs: Sequence[SpecDocument]) -> list[Finding]:
        return [f for doc in docs for f in check_requirement_shape(doc)]


def check_requirement_shape(doc: SpecDocument) -> list[Finding]:
    """OpenSpec's validation: a requirement states SHALL/MUST and has a scenario."""
    found: list[Finding] = []
    for section in doc.sections:
        if not any(r.kind is RequirementKind.OPENSPEC for r in section.requirements):
            continue
        parent = doc.sections[section.parent] if section.parent is not None else None
        if parent is not None and parent.title.upper().startswith(("REMOVED", "RENAMED")):
            continue  # a removal states a reason and a migration, not behaviour
        text = "\n".join(doc.sections[i].own_text for i in (section.index, *section.children))
        if "SHALL" not in text and "MUST" not in text:
            found.append(
                Finding(
                    Code.OPENSPEC_NO_SHALL,
                    Severity.WARNING,
                    "requirement has no SHALL or MUST statement",
                    doc.path,
                    section.heading_range,
                )
            )
        if not any(doc.sections[i].title.startswith("Scenario:") for i in section.children):
            found.append(
                Finding(
                    Code.OPENSPEC_NO_SCENARIO,
                    Severity.WARNING,
                    "requirement has no '#### Scenario:'",
                    doc.path,
                    section.heading_range,
                )
            )
    return found
