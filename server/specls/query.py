"""Requirement lookups over a workspace (pure, no LSP): definitions and traces.

The position lookups ("what is under the cursor?") live in `specls.ide.targets`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specls.dialect import Section, SpecDocument
from specls.layouts import layout_for, layout_of
from specls.layouts.base import EVERY
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


def requirement_scope(doc_path: str, ws: Workspace | None = None) -> str:
    """The scope IDs defined or written in `doc_path` belong to, as its layout scopes them.

    With `ws`, the layout the document was scanned with (or the workspace's
    globs give it); without, the one the default globs give the path.
    """
    doc = ws.docs.get(doc_path) if ws is not None else None
    if doc is not None:
        return layout_of(doc).scope(doc_path)
    return layout_for(doc_path, ws.config if ws is not None else None).scope(doc_path)


def _scope(doc: SpecDocument) -> str:
    return layout_of(doc).scope(doc.path)


def _all_requirements(ws: Workspace, rid: str) -> list[Place]:
    """Every definition a reference can name `rid` by (not a Kiro task's number)."""
    return [
        Place(doc, s, r.range, r.text)
        for doc in sorted(ws.docs.values(), key=lambda d: d.path)
        for s in doc.sections
        for r in s.requirements
        if r.id == rid and layout_of(doc).referable(r)
    ]


def requirement_statement(rid: str, line: str) -> str:
    """A requirement's statement without its list marker, checkbox and ID."""
    text = re.sub(r"^\s*(?:#+|[-*+])?\s*(?:\[[ xX]\]\s*)?", "", line)
    last = re.escape(rid.rpartition(".")[2] if "." in rid and rid[0].isdigit() else rid)
    text = re.sub(rf"^\**(?:Requirement\s+)?{last}\**\s*[.:]?\**\s*", "", text)
    return text.strip()


def requirement_definitions(ws: Workspace, rid: str, from_path: str | None = None) -> list[Place]:
    """Where `rid` is defined, as seen from `from_path`.

    In its own scope first; from an OpenSpec delta, the base spec it changes;
    then anywhere, unless its layout scopes IDs strictly (a Spec Kit or Kiro
    feature folder never resolves into another feature).
    """
    found = _all_requirements(ws, rid)
    if from_path is None:
        return found
    doc = ws.docs.get(from_path)
    layout = layout_of(doc) if doc is not None else layout_for(from_path, ws.config)
    scope = layout.scope(from_path)
    base = layout.base_of(from_path)
    if base is not None and (changed := [p for p in found if _scope(p.doc) == base]):
        return changed
    local = [p for p in found if _scope(p.doc) == scope]
    if local or layout.strict_scope:
        return local
    return found


def requirement_traces(ws: Workspace, rid: str, scope: str | None = None) -> list[Place]:
    """Every reference to `rid` (ranges like `4.1-4.3` expanded by the document's layout).

    With `scope`, only the references that resolve to the definition in that
    scope: those written in the same scope, or where their own scope has none
    and their layout lets them look further; and the OpenSpec deltas that
    change it.
    """
    defined = {_scope(p.doc) for p in _all_requirements(ws, rid)}
    found: list[Place] = []
    for doc in sorted(ws.docs.values(), key=lambda d: d.path):
        layout = layout_of(doc)
        here = layout.scope(doc.path)
        if scope is not None and layout.base_of(doc.path) == scope:
            found += [
                Place(doc, s, r.range, r.text)
                for s in doc.sections
                for r in s.requirements
                if r.id == rid
            ]
        if scope is not None and here != scope and (here in defined or layout.strict_scope):
            continue

        def known(other: str, here: str = here) -> bool:
            return any(_scope(p.doc) == here for p in _all_requirements(ws, other))

        for s in doc.sections:
            for m in s.requirement_refs:
                ids = layout.expand(m.text, known)
                if (
                    rid in ids
                    or EVERY in ids
                    or any(p in ids for p in layout.parents(rid))
                    or any(rid in layout.parents(i) for i in ids)  # 1.1-1.6 trace requirement 1
                ):
                    found.append(Place(doc, s, m.range, m.text))
    return found


def requirement_uses(ws: Workspace, rid: str, from_path: str) -> list[Place]:
    """The traces of the definition(s) `rid` names when written in `from_path`."""
    scopes = sorted({_scope(p.doc) for p in requirement_definitions(ws, rid, from_path)})
    if not scopes:
        return requirement_traces(ws, rid)
    return [t for scope in scopes for t in requirement_traces(ws, rid, scope)]
