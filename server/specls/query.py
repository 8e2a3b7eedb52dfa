"""Requirement lookups over a workspace (pure, no LSP): definitions and traces.

The position lookups ("what is under the cursor?") live in `specls.ide.targets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specls.dialect import Section, SpecDocument
from specls.status import expand_requirement_ref
from specls.text import Range
from specls.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Place:
    """A construct found in a spec document: its document, section and range.

    Defined here, where the requirement lookups build it; `specls.ide.targets`
    re-exports it for the editor features.
    """

    doc: SpecDocument
    section: Section
    range: Range
    text: str = ""  # the requirement line, the marker text, …


def requirement_scope(doc_path: str) -> str:
    """Requirement IDs are scoped by the directory of their document (as `status` does)."""
    return doc_path.rpartition("/")[0]


def _all_requirements(ws: Workspace, rid: str) -> list[Place]:
    return [
        Place(doc, s, r.range, r.text)
        for doc in sorted(ws.docs.values(), key=lambda d: d.path)
        for s in doc.sections
        for r in s.requirements
        if r.id == rid
    ]


def requirement_statement(rid: str, line: str) -> str:
    """A requirement's statement without its list marker, checkbox and ID."""
    text = re.sub(r"^\s*(?:#+|[-*+])?\s*(?:\[[ xX]\]\s*)?", "", line)
    last = re.escape(rid.rpartition(".")[2] if "." in rid and rid[0].isdigit() else rid)
    text = re.sub(rf"^\**(?:Requirement\s+)?{last}\**\s*[.:]?\**\s*", "", text)
    return text.strip()


def requirement_definitions(ws: Workspace, rid: str, from_path: str | None = None) -> list[Place]:
    """Where `rid` is defined: in the scope of `from_path` when it has one, else everywhere."""
    found = _all_requirements(ws, rid)
    if from_path is not None:
        scope = requirement_scope(from_path)
        local = [p for p in found if requirement_scope(p.doc.path) == scope]
        return local or found
    return found


def requirement_traces(ws: Workspace, rid: str, scope: str | None = None) -> list[Place]:
    """Every reference to `rid` (ranges like `4.1-4.3` expanded).

    With `scope`, only the references that resolve to the definition in that
    scope: those written in the same scope, or where their own scope has none.
    """
    defined = {requirement_scope(p.doc.path) for p in _all_requirements(ws, rid)}
    found: list[Place] = []
    for doc in sorted(ws.docs.values(), key=lambda d: d.path):
        here = requirement_scope(doc.path)
        if scope is not None and here != scope and here in defined:
            continue
        for s in doc.sections:
            for m in s.requirement_refs:
                if rid in expand_requirement_ref(m.text):
                    found.append(Place(doc, s, m.range, m.text))
    return found


def requirement_uses(ws: Workspace, rid: str, from_path: str) -> list[Place]:
    """The traces of the definition(s) `rid` names when written in `from_path`."""
    scopes = sorted(
        {requirement_scope(p.doc.path) for p in requirement_definitions(ws, rid, from_path)}
    )
    if not scopes:
        return requirement_traces(ws, rid)
    return [t for scope in scopes for t in requirement_traces(ws, rid, scope)]
