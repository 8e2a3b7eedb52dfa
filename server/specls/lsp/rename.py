"""Rename (`specls.ide.rename`) as one `WorkspaceEdit`, `spec.lock` included.

A refused rename becomes an error reply carrying its message: invalid
params for a malformed new name, invalid request otherwise.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest

from specls.ide.edits import SourceChange
from specls.ide.rename import RenameRefused, prepare_rename, rename
from specls.lsp.convert import from_position, to_range
from specls.lsp.edits import workspace_edit
from specls.lsp.snapshot import Snapshot


def to_workspace_edit(snap: Snapshot, change: SourceChange) -> types.WorkspaceEdit:
    return workspace_edit(
        snap,
        {
            snap.uri(rel): [types.TextEdit(range=to_range(r), new_text=new) for r, new in edits]
            for rel, edits in change.items()
        },
    )


def run(
    snap: Snapshot, params: types.RenameParams | types.PrepareRenameParams
) -> types.WorkspaceEdit | types.PrepareRenamePlaceholder | None:
    rel = snap.rel(params.text_document.uri)
    if rel is None or rel not in snap.workspace.docs:
        return None
    pos = from_position(params.position)
    if isinstance(params, types.RenameParams):
        try:
            change = rename(snap.ide, rel, pos, params.new_name)
        except RenameRefused as exc:
            error = JsonRpcInvalidParams if exc.bad_name else JsonRpcInvalidRequest
            raise error(exc.message) from exc
        return to_workspace_edit(snap, change)
    found = prepare_rename(snap.ide, rel, pos)
    if found is None:
        return None
    return types.PrepareRenamePlaceholder(
        range=to_range(found.range), placeholder=found.placeholder
    )
