"""The pygls server: the one registration table, and nothing else.

Handlers are a few lines: find the root, take its snapshot, run the feature
module's pure `run(snapshot, params)` in a worker thread. Only the
open/change/close/config/watch handlers mutate the session (STYLE §1).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.lsp.server import LanguageServer

from specls import __version__
from specls.lsp import commands, diagnostics, features
from specls.lsp.convert import path_to_uri, uri_to_path
from specls.lsp.session import RootState, Session
from specls.lsp.settings import parse_settings
from specls.lsp.snapshot import Snapshot
from specls.lsp.watching import Watcher
from specls.text import sha256_text

log = logging.getLogger("specls")
T = TypeVar("T")


def _utf16_only(cls: type, caps: types.ClientCapabilities) -> str:
    """Core ranges are UTF-16 (the LSP default every client supports): never negotiate."""
    return types.PositionEncodingKind.Utf16


ServerCapabilitiesBuilder.choose_position_encoding = classmethod(_utf16_only)  # type: ignore[method-assign, assignment]


class SpeclsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("specls", __version__)
        self.session = Session(self.open_texts, self.publish)
        self.published: dict[Path, dict[str, list[types.Diagnostic]]] = {}
        self.lens_statuses: dict[Path, tuple[tuple[str, str], ...]] = {}
        self.watcher = Watcher(self)

    # --- documents --------------------------------------------------------------------

    def open_texts(self) -> dict[str, tuple[str, int | None]]:
        return {
            uri: (doc.source, doc.version)
            for uri, doc in self.workspace.text_documents.items()
            if uri.startswith("file:")
        }

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
        doc = self.workspace.text_documents.get(uri)
        if rel is None or doc is None:
            return snap
        text = doc.source
        texts = {**snap.texts, rel: text}
        ws = snap.workspace
        parsed = ws.docs.get(rel)
        if ws.is_spec_path(rel) and (parsed is None or parsed.text_hash != sha256_text(text)):
            ws = await asyncio.to_thread(ws.with_text, rel, text)
        versions = {**snap.versions, uri: doc.version}  # edits must name the live version
        return replace(snap, workspace=ws, texts=texts, versions=versions)

    # --- publishing -------------------------------------------------------------------

    def publish(self, state: RootState, snap: Snapshot) -> None:
        for ref in [r for r in state.regen_findings if r not in snap.analysis.units]:
            del state.regen_findings[ref]  # the unit is gone
        current = diagnostics.by_uri(snap, state.regen_findings.values())
        previous = self.published.get(state.root, {})
        for uri, diags in diagnostics.changes(previous, current).items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri, diagnostics=diags, version=snap.versions.get(uri)
                )
            )
        self.published[state.root] = current
        statuses = tuple(sorted((r, u.status.value) for r, u in snap.analysis.units.items()))
        if self.lens_statuses.get(state.root) != statuses:
            self.lens_statuses[state.root] = statuses
            workspace = self.client_capabilities.workspace
            if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
                self.workspace_code_lens_refresh(None).add_done_callback(_ignore_error)
        self.notify_status(state)
        self.watcher.update(state)

    def notify_status(self, state: RootState) -> None:
        snap = state.snapshot
        outputs = sorted({path_to_uri(snap.root / p) for p in snap.analysis.owners})
        self.protocol.notify(
            "specls/status",
            {
                "root": path_to_uri(snap.root),
                "counts": snap.analysis.counts(),
                "outputs": outputs,
                "busy": state.busy > 0,
                "globs": {
                    "include": snap.workspace.config.include,
                    "exclude": snap.workspace.config.exclude,
                },
            },
        )


def _ignore_error(future: Any) -> None:
    """A client that cannot refresh keeps its lenses until the next request."""
    if not future.cancelled() and future.exception() is not None:
        log.debug("refresh failed: %s", future.exception())


server = SpeclsServer()


async def run_feature(fn: Callable[[Snapshot, Any], T], uri: str, params: Any, default: T) -> T:
    snap = await server.snapshot_for(uri)
    if snap is None:
        return default
    return await asyncio.to_thread(fn, snap, params)


# --- lifecycle --------------------------------------------------------------------------


@server.feature(types.INITIALIZE)
def on_initialize(ls: SpeclsServer, params: types.InitializeParams) -> None:
    settings, error = parse_settings(params.initialization_options)
    ls.session.set_settings(settings)
    ls.session.capabilities = params.capabilities
    if params.client_info:
        ls.session.client_name = params.client_info.name
    if error:
        log.warning(error)


@server.feature(types.INITIALIZED)
async def on_initialized(ls: SpeclsServer, params: types.InitializedParams) -> None:
    folders = ls.workspace.folders.values()
    roots = [uri_to_path(f.uri) for f in folders] or [uri_to_path(ls.workspace.root_uri or "")]
    for root in roots:
        if root is not None and root.is_dir():
            ls.session.add_root(root)
    await ls.watcher.start()
    await pull_configuration(ls)


async def pull_configuration(ls: SpeclsServer) -> None:
    caps = ls.client_capabilities.workspace
    if not (caps and caps.configuration):
        return
    try:
        result = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="specls")])
            ),
            timeout=5,
        )
    except Exception as exc:  # a client that cannot answer keeps the initialization options
        log.info("workspace/configuration failed: %s", exc)
        return
    if result and result[0] is not None:
        merged, error = parse_settings(result[0], ls.session.settings)
        if error:
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=error)
            )
        ls.session.set_settings(merged)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_config(ls: SpeclsServer, params: types.DidChangeConfigurationParams) -> None:
    if params.settings:
        merged, error = parse_settings(params.settings, ls.session.settings)
        if error:
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=error)
            )
        ls.session.set_settings(merged)
    else:
        await pull_configuration(ls)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def on_folders(ls: SpeclsServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for f in params.event.removed:
        if (p := uri_to_path(f.uri)) is not None:
            ls.session.remove_root(p)
    for f in params.event.added:
        if (p := uri_to_path(f.uri)) is not None:
            ls.session.add_root(p)


@server.feature(types.SHUTDOWN)
def on_shutdown(ls: SpeclsServer, params: Any) -> None:
    ls.watcher.stop()
    commands.cancel_all()


# --- document sync ----------------------------------------------------------------------


def _touch(ls: SpeclsServer, uri: str, text: str | None) -> None:
    state = ls.state_for(uri)
    if state is None:
        return
    rel = state.snapshot.rel(uri)
    if rel is None:
        return
    ls.session.overlay(state, rel, text)
    if text is None and state.snapshot.workspace.is_spec_path(rel):
        ls.session.note_file(state, rel)  # closed: the disk version counts again
    ls.session.schedule(state)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SpeclsServer, params: types.DidOpenTextDocumentParams) -> None:
    _touch(ls, params.text_document.uri, params.text_document.text)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SpeclsServer, params: types.DidChangeTextDocumentParams) -> None:
    doc = ls.workspace.get_text_document(params.text_document.uri)
    _touch(ls, params.text_document.uri, doc.source)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SpeclsServer, params: types.DidCloseTextDocumentParams) -> None:
    _touch(ls, params.text_document.uri, None)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SpeclsServer, params: types.DidSaveTextDocumentParams) -> None:
    state = ls.state_for(params.text_document.uri)
    if state is not None and (rel := state.snapshot.rel(params.text_document.uri)):
        ls.session.note_file(state, rel)
        ls.session.schedule(state)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched(ls: SpeclsServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.watcher.on_client_events([c.uri for c in params.changes])


# --- features ---------------------------------------------------------------------------

features.register(server, run_feature)
commands.register(server)


def serve(tcp: str | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="specls %(levelname)s %(message)s"
    )
    logging.getLogger("pygls").setLevel(logging.WARNING)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
