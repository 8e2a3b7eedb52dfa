"""Code actions: regenerate, stamp, review a hand edit, create a missing section.

Quick fixes hang on the freshness diagnostics (SPEC201 stale, SPEC203
missing, SPEC204 ungenerated → regenerate; SPEC202 edited → show the diff,
move the change into the spec, accept it, or overwrite it) and on SPEC102
(a `@use` of a section that does not exist → create it). The same
regenerate/stamp actions are `source` actions anywhere in a unit's section
or in a generated file, so they are reachable without a diagnostic.

Actions run the `workspace/executeCommand` commands of docs/protocol.md;
the two that edit text carry their `WorkspaceEdit` (cheap to compute, and
it needs no `codeAction/resolve` support from the client). Each action's
`data` names the spec path, section ID and document version it was computed
for (STYLE §2), never a server-side cache key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types

from specls.dialect import Directive, SpecDocument
from specls.findings import Code
from specls.lsp.commands import REGENERATE, REGENERATE_STALE, STAMP
from specls.lsp.convert import SOURCE, from_position, from_range, to_range
from specls.lsp.edits import workspace_edit
from specls.lsp.open_section import OPEN_SECTION, SHOW_DIFF, output_diff
from specls.lsp.rename import VALID_ID
from specls.lsp.snapshot import Snapshot
from specls.query import owners_at, unit_for_section
from specls.status import Status, UnitStatus
from specls.text import LineIndex, Position, Range, split_lines, utf16_len
from specls.workspace import resolve_path

QUICKFIX: str = types.CodeActionKind.QuickFix.value
SOURCE_KIND: str = types.CodeActionKind.Source.value
NEEDS_REGEN = (Status.STALE, Status.UNGENERATED, Status.MISSING)
OPTIONS = types.CodeActionOptions(code_action_kinds=[QUICKFIX, SOURCE_KIND])
_REGEN_CODES = {Code.STALE.value, Code.MISSING.value, Code.UNGENERATED.value}


class _Actions:
    def __init__(self, snap: Snapshot, diagnostics: Sequence[types.Diagnostic]) -> None:
        self.snap = snap
        self.diagnostics = [d for d in diagnostics if d.source == SOURCE]
        self.items: list[types.CodeAction] = []
        self.titles: set[str] = set()

    def data(self, us: UnitStatus | None, spec: str, section: str) -> dict[str, Any]:
        if us is not None:
            spec, section = us.unit.doc.path, us.unit.section.id
        return {
            "spec": spec,
            "section": section,
            "version": self.snap.versions.get(self.snap.uri(spec)),
        }

    def add(
        self,
        title: str,
        kind: str,
        data: dict[str, Any],
        command: tuple[str, dict[str, Any]] | None = None,
        edit: types.WorkspaceEdit | None = None,
        diagnostic: types.Diagnostic | None = None,
        preferred: bool = False,
    ) -> None:
        if title in self.titles:  # a quick fix already offers it: no source duplicate
            return
        self.titles.add(title)
        self.items.append(
            types.CodeAction(
                title=title,
                kind=kind,
                diagnostics=[diagnostic] if diagnostic else None,
                is_preferred=preferred or None,
                edit=edit,
                command=types.Command(title=title, command=command[0], arguments=[command[1]])
                if command
                else None,
                data=data,
            )
        )

    # --- per unit -------------------------------------------------------------------------

    def regenerate(self, us: UnitStatus, kind: str, diag: types.Diagnostic | None) -> None:
        self.add(
            f"Regenerate section '{us.unit.title}'",
            kind,
            self.data(us, "", ""),
            (REGENERATE, {"unit": us.ref}),
            diagnostic=diag,
            preferred=diag is not None,
        )

    def stamp(self, us: UnitStatus, kind: str, diag: types.Diagnostic | None) -> None:
        self.add(
            f"Stamp section '{us.unit.title}' as fresh",
            kind,
            self.data(us, "", ""),
            (STAMP, {"unit": us.ref}),
            diagnostic=diag,
        )

    def edited(self, us: UnitStatus, key: str, kind: str, diag: types.Diagnostic | None) -> None:
        several = sum(o.status is Status.EDITED for o in us.outputs) > 1
        suffix = f" ({key})" if several else ""
        data = {**self.data(us, "", ""), "output": key}
        self.add(
            f"Show diff against last generation{suffix}",
            kind,
            data,
            (SHOW_DIFF, {"unit": us.ref, "output": key}),
            diagnostic=diag,
            preferred=diag is not None,
        )
        edit = move_change_edit(self.snap, us, key)
        if edit is not None:
            self.add(
                f"Move this change into the spec{suffix}",
                kind,
                data,
                (OPEN_SECTION, {"section": us.ref}),
                edit=edit,
                diagnostic=diag,
            )
        self.add(
            f"Regenerate section '{us.unit.title}', discarding the hand edit",
            kind,
            self.data(us, "", ""),
            (REGENERATE, {"unit": us.ref, "force": True}),
            diagnostic=diag,
        )
        self.stamp(us, kind, diag)

    def from_diagnostics(self, doc: SpecDocument | None) -> None:
        for diag in self.diagnostics:
            code = str(diag.code)
            info = diag.data if isinstance(diag.data, dict) else {}
            us = self.snap.analysis.units.get(str(info.get("unit", "")))
            if code in _REGEN_CODES and us is not None:
                self.regenerate(us, QUICKFIX, diag)
                if code == Code.STALE.value:
                    self.stamp(us, QUICKFIX, diag)
            elif code == Code.EDITED.value and us is not None and info.get("output"):
                self.edited(us, str(info["output"]), QUICKFIX, diag)
            elif code == Code.BROKEN_SECTION_REF.value and doc is not None:
                self.create_section(doc, diag)

    def sources(self, units: list[UnitStatus]) -> None:
        for us in units:
            if us.status in NEEDS_REGEN:
                self.regenerate(us, SOURCE_KIND, None)
            for o in us.outputs:
                if o.status is Status.EDITED:
                    self.edited(us, o.key, SOURCE_KIND, None)
            if us.status is Status.STALE:
                self.stamp(us, SOURCE_KIND, None)

    def create_section(self, doc: SpecDocument, diag: types.Diagnostic) -> None:
        directive = _directive_at(doc, from_range(diag.range))
        if directive is None or not directive.fragment or not VALID_ID.match(directive.fragment):
            return
        target = resolve_path(doc.path, directive.path) if directive.path else doc.path
        if target is None or target not in self.snap.workspace.docs:
            return
        text = self.snap.text(target)
        if text is None:
            return
        where = "" if target == doc.path else f" in {target.rpartition('/')[2]}"
        self.add(
            f"Create section #{directive.fragment}{where}",
            QUICKFIX,
            self.data(None, target, directive.fragment),
            edit=append_section_edit(self.snap, target, text, directive.fragment),
            diagnostic=diag,
            preferred=True,
        )


def _directive_at(doc: SpecDocument, rng: Range) -> Directive | None:
    directives = [d for s in doc.sections for d in s.directives]
    exact = next((d for d in directives if d.target_range == rng), None)
    return exact or next((d for d in directives if d.target_range.contains(rng.start)), None)


def heading_for(section_id: str) -> str:
    """`user-model` → `User model`: a readable title for a section created from a link."""
    words = "".join(" " if ch in "-_.:" else ch for ch in section_id).split()
    title = " ".join(words) or section_id
    return title[:1].upper() + title[1:]


def _doc_edit(snap: Snapshot, rel: str, rng: Range, new_text: str) -> types.WorkspaceEdit:
    return workspace_edit(
        snap, {snap.uri(rel): [types.TextEdit(range=to_range(rng), new_text=new_text)]}
    )


def append_section_edit(
    snap: Snapshot, rel: str, text: str, section_id: str
) -> types.WorkspaceEdit:
    """Insert `## Title {#id}` at the end of a document, after one blank line."""
    end = LineIndex(text).position(len(text))
    newlines = len(text) - len(text.rstrip("\n"))
    sep = "\n" * max(0, 2 - newlines) if text else ""
    new = f"{sep}## {heading_for(section_id)} {{#{section_id}}}\n"
    return _doc_edit(snap, rel, Range(end, end), new)


def move_change_edit(snap: Snapshot, us: UnitStatus, key: str) -> types.WorkspaceEdit | None:
    """Quote the output's hand edit, as a diff, at the end of the unit's own text."""
    try:
        path, diff = output_diff(snap, us, key)
    except ValueError:
        return None
    text = snap.text(us.unit.doc.path)
    if not diff or text is None:
        return None
    lines = split_lines(text)
    section = us.unit.section
    last = min(section.own_end_line, len(lines) - 1)
    while last > section.heading_range.end.line and not lines[last].strip():
        last -= 1
    at = Position(last, utf16_len(lines[last]))
    note = [
        f"> **Hand edit to move into this section**: `{path}` was changed by hand after it",
        "> was generated. Fold the change into the text or the code above, then regenerate.",
        ">",
        "> ```diff",
        *(f"> {line}" for line in diff.splitlines()),
        "> ```",
    ]
    return _doc_edit(snap, us.unit.doc.path, Range(at, at), "\n\n" + "\n".join(note))


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    wanted = [getattr(k, "value", k) for k in only or ()]
    return not wanted or any(kind == k or kind.startswith(k + ".") for k in wanted)


def run(snap: Snapshot, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    rel = snap.rel(uri)
    if rel is None:
        return []
    actions = _Actions(snap, params.context.diagnostics)
    pos = from_position(params.range.start)
    doc = snap.workspace.docs.get(rel)
    if doc is not None:
        actions.from_diagnostics(doc)
        us = unit_for_section(doc, doc.section_at(pos.line), snap.analysis)
        actions.sources([us] if us else [])
        units = snap.analysis.units.values()
        if any(u.status in NEEDS_REGEN and u.unit.doc.path == rel for u in units):
            actions.add(
                "Regenerate all stale sections in this file",
                SOURCE_KIND,
                actions.data(None, rel, ""),
                (REGENERATE_STALE, {"uri": uri}),
            )
    elif rel in snap.analysis.owners:
        actions.from_diagnostics(None)
        owners = owners_at(snap.analysis, rel, pos)
        here = [
            us
            for us, o in owners
            if o.output.symbol is None or (o.symbol_range and o.symbol_range.contains(pos))
        ]
        seen: dict[str, UnitStatus] = {}
        for us in here or [us for us, _ in owners]:
            seen.setdefault(us.ref, us)
        actions.sources(list(seen.values()))
    only = params.context.only
    return [a for a in actions.items if _wanted(str(a.kind or ""), only)]
