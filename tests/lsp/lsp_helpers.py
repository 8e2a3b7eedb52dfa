"""Helpers for LSP end-to-end tests: open documents, wait for diagnostics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient


def uri(path: Path) -> str:
    result = from_fs_path(str(path))
    assert result is not None
    return result


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    doc_uri = uri(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc_uri,
                language_id="markdown" if path.suffix == ".md" else "python",
                version=version,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    return doc_uri


def change_doc(client: LanguageClient, doc_uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def wait_for(
    predicate: Callable[[], bool], timeout: float = 10.0, message: str = "condition"
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.02)


def codes(diags: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diags)


async def wait_diagnostics(
    client: LanguageClient,
    doc_uri: str,
    predicate: Callable[[Sequence[types.Diagnostic]], bool],
    timeout: float = 10.0,
) -> Sequence[types.Diagnostic]:
    await wait_for(
        lambda: predicate(client.diagnostics.get(doc_uri, [])),
        timeout,
        f"diagnostics on {doc_uri} (have {codes(client.diagnostics.get(doc_uri, []))})",
    )
    return client.diagnostics[doc_uri]


def document_edits(
    client: LanguageClient, edit: types.WorkspaceEdit
) -> list[tuple[str, int | None, list[types.TextEdit]]]:
    """(uri, version, edits) per document, whichever form the server chose — and it must
    choose `documentChanges` only for a client that declares it (Neovim does not)."""
    caps = client.capabilities
    declared = bool(
        caps
        and caps.workspace
        and caps.workspace.workspace_edit
        and caps.workspace.workspace_edit.document_changes
    )
    if declared:
        assert edit.changes is None and edit.document_changes is not None
        out = []
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
            out.append((change.text_document.uri, change.text_document.version, edits))
        return out
    assert edit.document_changes is None and edit.changes is not None
    return [(u, None, list(es)) for u, es in edit.changes.items()]


def root_of(client: LanguageClient) -> Path:
    """The (resolved) copy of examples/shop the client's server works on."""
    root: Path = client.root  # type: ignore[attr-defined]
    return root.resolve()


def line_of(path: Path, needle: str) -> int:
    """The first line of a file that contains `needle`."""
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines()) if needle in line)


def frame(message: dict[str, object]) -> bytes:
    """A JSON-RPC message with its `Content-Length` header, for tests that talk raw LSP."""
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def split_frame(buffer: bytes) -> tuple[dict[str, Any] | None, bytes]:
    """The first whole JSON-RPC message in `buffer` and what follows it, or
    (None, buffer) while its bytes have not all arrived."""
    head, sep, rest = buffer.partition(b"\r\n\r\n")
    if not sep:
        return None, buffer
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    if len(rest) < length:
        return None, buffer
    return json.loads(rest[:length]), rest[length:]


def initialize_message(root: Path, **params: object) -> dict[str, object]:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": uri(root), "capabilities": {}, **params},
    }
