"""Workspace edits in the form the client accepts.

`documentChanges` (versioned, so a stale edit is rejected) when the client
declares it; otherwise the plain `changes` map. Neovim 0.11, for one, does not
declare `documentChanges`.
"""

from __future__ import annotations

from lsprotocol import types

from specls.lsp.snapshot import Snapshot


def supports_document_changes(caps: types.ClientCapabilities) -> bool:
    ws = caps.workspace
    return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)


def workspace_edit(snap: Snapshot, edits: dict[str, list[types.TextEdit]]) -> types.WorkspaceEdit:
    """One edit over several documents (by URI), versioned when the client allows."""
    if not supports_document_changes(snap.capabilities):
        return types.WorkspaceEdit(changes={uri: list(e) for uri, e in edits.items()})
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=snap.versions.get(uri)
                ),
                edits=list(e),
            )
            for uri, e in edits.items()
        ]
    )
