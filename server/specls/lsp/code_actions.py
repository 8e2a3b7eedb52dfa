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

from specls.dialect import SpecDocument
from specls.findings import Code
from specls.ide.code_actions import (
    NEEDS_REGEN,
    create_section,
    move_change,
    needs_regeneration,
    units_at,
)
from specls.lsp.commands import REGENERATE, REGENERATE_STALE, STAMP
from specls.lsp.convert import SOURCE, from_position, from_range
from specls.lsp.open_section import OPEN_SECTION, SHOW_DIFF
from specls.lsp.rename import to_workspace_edit
from specls.lsp.snapshot import Snapshot
from specls.status import Status, UnitStatus

QUICKFIX: str = types.CodeActionKind.QuickFix.value
SOURCE_KIND: str = types.CodeActionKind.Source.value
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
        change = move_change(self.snap.ide, us, key)
        if change is not None:
            self.add(
                f"Move this change into the spec{suffix}",
                kind,
                data,
                (OPEN_SECTION, {"section": us.ref}),
                edit=to_workspace_edit(self.snap, change),
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
        found = create_section(self.snap.ide, doc, from_range(diag.range))
        if found is None:
            return
        target, section_id, change = found
        where = "" if target == doc.path else f" in {target.rpartition('/')[2]}"
        self.add(
            f"Create section #{section_id}{where}",
            QUICKFIX,
            self.data(None, target, section_id),
            edit=to_workspace_edit(self.snap, change),
            diagnostic=diag,
            preferred=True,
        )


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
    if doc is not None or rel in snap.analysis.owners:
        actions.from_diagnostics(doc)
        actions.sources(units_at(snap.ide, rel, pos))
    if doc is not None and needs_regeneration(snap.ide, rel):
        actions.add(
            "Regenerate all stale sections in this file",
            SOURCE_KIND,
            actions.data(None, rel, ""),
            (REGENERATE_STALE, {"uri": uri}),
        )
    only = params.context.only
    return [a for a in actions.items if _wanted(str(a.kind or ""), only)]
