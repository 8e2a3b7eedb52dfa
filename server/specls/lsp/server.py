"""The language server: a `Server` over a `Session` and a `Client`, and the pygls host.

`Server` is plain Python: it owns the session (all mutable state) and talks
to the editor only through `Client`, so tests run it in-process against a
fake client. `create_server()` builds a pygls `LanguageServer` around it and
registers every route of `routes.py`, the one routing table. There is no
module-level server and importing this module registers nothing.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from specls import __version__
from specls.config import ALWAYS_EXCLUDED, Config
from specls.lsp import convert, diagnostics
from specls.lsp.client import Client, PyglsClient
from specls.lsp.convert import path_to_uri, uri_to_path
from specls.lsp.session import RootState, Session
from specls.lsp.snapshot import Snapshot
from specls.lsp.watching import Watcher
from specls.text import sha256_text

log = logging.getLogger("specls")


class Server:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.session = Session(self.publish, client.progress)
        self.watcher = Watcher(self)

    # --- documents --------------------------------------------------------------------

    def state_for(self, uri: str) -> RootState | None:
        """The root a document belongs to. Only a Markdown file outside every root
        starts a new one: clients send every file they open (VS Code's selector is
        broad), and opening `~/notes.txt` must not make the server walk `~`."""
        path = uri_to_path(uri)
        if path is None:
            return None
        return self.session.root_for(path, create=path.suffix.lower() == ".md")

    async def snapshot_for(self, uri: str) -> Snapshot | None:
        """The root's snapshot with this document's live text parsed in (cheap: chunk cache)."""
        state = self.state_for(uri)
        if state is None:
            return None
        snap = await self.session.current(state)
        rel = snap.rel(uri)
        doc = self.session.documents.text_documents.get(uri)
        if rel is None or doc is None:
            return snap
        text = doc.source
        ws = snap.workspace
        parsed = ws.docs.get(rel)
        if ws.is_spec_path(rel) and (parsed is None or parsed.text_hash != sha256_text(text)):
            ws = await asyncio.to_thread(ws.with_text, rel, text)
        texts = {**snap.texts, rel: text}
        versions = {**snap.versions, uri: doc.version}  # edits must name the live version
        return replace(snap, workspace=ws, texts=texts, versions=versions)

    async def snapshots(self) -> list[Snapshot]:
        return [await self.session.current(state) for state in list(self.session.roots.values())]

    # --- publishing -------------------------------------------------------------------

    def publish(self, state: RootState, snap: Snapshot) -> None:
        for ref in [r for r in state.regen_findings if r not in snap.analysis.units]:
            del state.regen_findings[ref]  # the unit is gone
        current = diagnostics.by_uri(snap, state.regen_findings.values())
        previous = self.session.published.get(state.root, {})
        for uri, diags in diagnostics.changes(previous, current).items():
            self.client.publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=diags, version=snap.versions.get(uri)
                )
            )
        self.session.published[state.root] = current
        statuses = tuple(sorted((r, u.status.value) for r, u in snap.analysis.units.items()))
        if self.session.lens_statuses.get(state.root) != statuses:
            self.session.lens_statuses[state.root] = statuses
            workspace = self.session.capabilities.workspace
            if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
                self.client.refresh_code_lens()
        self.notify_status(state)
        self.watcher.update(state)

    def notify_status(self, state: RootState) -> None:
        snap = state.snapshot
        self.client.notify(
            "specls/status",
            {
                "root": path_to_uri(snap.root),
                "counts": snap.analysis.counts(),
                "outputs": self._output_uris(state),
                "busy": state.busy > 0,
                "globs": client_globs(snap.workspace.config),
            },
        )

    def _output_uris(self, state: RootState) -> list[str]:
        """The root's output files as URIs, made again only when the set changes: sent
        after every analysis, and on a 10,000-output root making them was most of a
        keystroke's time on the event loop."""
        paths = frozenset(state.snapshot.analysis.owners)
        kept = self.session.status_outputs.get(state.root)
        if kept is not None and kept[0] == paths:
            return kept[1]
        uris = sorted(path_to_uri(state.root / p) for p in paths)
        self.session.status_outputs[state.root] = (paths, uris)
        return uris

    # --- routing ----------------------------------------------------------------------

    async def dispatch(self, method: str, params: Any) -> Any:
        """Run one request or notification through the routing table (in-process hosts)."""
        from specls.lsp.routes import handler_for

        result = handler_for(method)(self, params)
        return await result if asyncio.iscoroutine(result) else result


def client_globs(config: Config) -> dict[str, list[str]]:
    """The root's spec globs as clients match them: the configured include and
    exclude, plus the folders the server never searches (`.git`, `node_modules`…)."""
    never = [f"**/{d}/**" for d in ALWAYS_EXCLUDED]
    return {"include": list(config.include), "exclude": [*config.exclude, *never]}


def _utf16_only(cls: type, caps: types.ClientCapabilities) -> str:
    """Core ranges are UTF-16 (the LSP default every client supports): never negotiate."""
    return types.PositionEncodingKind.Utf16


_writes: set[asyncio.Future[Any]] = set()  # writes in flight (kept from the collector)


class SpeclsProtocol(LanguageServerProtocol):
    """pygls' protocol, with three changes.

    A request whose params cannot be read (a position of -1 or 2**31) is
    answered InvalidParams instead of being dropped, so the client never waits
    forever. Document sync goes straight to specls' handlers: pygls' own
    document store would first apply each change to its copy and, doing so,
    clamp the change's range in place (one character short on a last line),
    so specls' store (`documents.py`) would apply a different edit. A result
    built in its JSON form (`convert.Json`: an outline, completion items) is
    written as its JSON text, encoded once, not walked again by cattrs.
    """

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Any:
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _user(self, method: str, params: Any) -> Any:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    def _send_data(self, data: Any) -> None:
        """A `convert.Json` result goes out as its kept text; anything else as pygls sends it."""
        body = convert.response_body(data)
        if body is None or self.writer is None:
            super()._send_data(data)
            return
        header = (
            f"Content-Length: {len(body.encode(self.CHARSET))}\r\n"
            f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        )
        written = self.writer.write(
            ((header if self._include_headers else "") + body).encode(self.CHARSET)
        )
        if inspect.isawaitable(written):  # an asyncio transport's writer
            task = asyncio.ensure_future(written)
            _writes.add(task)
            task.add_done_callback(_writes.discard)

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" not in data or "method" not in data:
                raise
            error = JsonRpcInvalidParams(f"invalid params for {data['method']}: {exc}")
            self._send_response(data["id"], None, error.to_response_error())
            return SimpleNamespace(jsonrpc="answered")  # handle_message ignores it


def create_server() -> LanguageServer:
    """A pygls server with every route of the routing table registered."""
    from specls.lsp.routes import register_all

    ServerCapabilitiesBuilder.choose_position_encoding = classmethod(_utf16_only)  # type: ignore[method-assign, assignment]
    ls = LanguageServer(
        "specls", __version__, protocol_cls=SpeclsProtocol, converter_factory=convert.converter
    )
    server = Server(PyglsClient(ls))
    register_all(ls, server)
    return ls


def serve(tcp: str | None = None, stdin: Any = None, stdout: Any = None) -> int:
    """Run until `exit`. `stdin`/`stdout` default to the process's (early.py passes
    its replaying reader and a writer that drops the answer it already sent)."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="specls %(levelname)s %(message)s"
    )
    logging.getLogger("pygls").setLevel(logging.WARNING)
    ls = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        ls.start_tcp(host or "127.0.0.1", int(port))
    else:
        ls.start_io(stdin, stdout)
    # LSP: exit code 0 only when `shutdown` came before `exit` (or the client hung up
    # after it); a client that vanished without shutting down gets 1.
    return 0 if getattr(ls.protocol, "_shutdown", False) else 1


def roots_of(ls_root: str | None, folders: list[types.WorkspaceFolder]) -> list[Path]:
    paths = [uri_to_path(f.uri) for f in folders] or [uri_to_path(ls_root or "")]
    return [p for p in paths if p is not None and p.is_dir()]
