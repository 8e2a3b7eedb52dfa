"""Lifecycle and document-sync handlers: the only handlers that change the session.

Each is a few lines and applies its change before it awaits anything, so
changes land in the order the client sent them (STYLE, anti-pattern 1).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from specls.lsp.convert import uri_to_path
from specls.lsp.settings import parse_settings

if TYPE_CHECKING:
    from specls.lsp.server import Server

log = logging.getLogger(__name__)


def initialize(server: Server, params: types.InitializeParams) -> None:
    session = server.session
    settings, error = parse_settings(params.initialization_options)
    session.set_settings(settings)
    session.capabilities = params.capabilities
    if params.client_info:
        session.client_name = params.client_info.name
    session.root_uri = params.root_uri or (params.root_path and f"file://{params.root_path}")
    session.folders = list(params.workspace_folders or [])
    session.initialized = True
    if error:
        log.warning(error)


async def initialized(server: Server, params: types.InitializedParams) -> None:
    from specls.lsp.server import roots_of

    session = server.session
    for root in roots_of(session.root_uri, session.folders):
        session.add_root(root)
    await server.watcher.start()
    await pull_configuration(server)


async def pull_configuration(server: Server) -> None:
    caps = server.session.capabilities.workspace
    if not (caps and caps.configuration):
        return
    try:
        raw = await asyncio.wait_for(server.client.configuration("specls"), timeout=5)
    except Exception as exc:  # a client that cannot answer keeps the initialization options
        log.info("workspace/configuration failed: %s", exc)
        return
    if raw is not None:
        _apply_settings(server, raw)


def _apply_settings(server: Server, raw: Any) -> None:
    merged, error = parse_settings(raw, server.session.settings)
    if error:
        server.client.show_message(types.MessageType.Warning, error)
    server.session.set_settings(merged)


async def did_change_configuration(
    server: Server, params: types.DidChangeConfigurationParams
) -> None:
    if params.settings:
        _apply_settings(server, params.settings)
    else:
        await pull_configuration(server)


def did_change_folders(server: Server, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for f in params.event.removed:
        if (p := uri_to_path(f.uri)) is not None:
            server.session.remove_root(p)
    for f in params.event.added:
        if (p := uri_to_path(f.uri)) is not None:
            server.session.add_root(p)


def shutdown(server: Server, params: Any) -> None:
    server.watcher.stop()
    server.session.cancel_jobs()


# --- document sync ----------------------------------------------------------------------


def _touch(server: Server, uri: str, closed: bool = False) -> None:
    state = server.state_for(uri)
    if state is None:
        return
    rel = state.snapshot.rel(uri)
    if rel is None:
        return
    if closed:
        server.session.drop_pending(state, rel)  # never saved: the disk counts again
        if state.snapshot.workspace.is_spec_path(rel):
            server.session.note_file(state, rel)
    server.session.schedule(state)


def did_open(server: Server, params: types.DidOpenTextDocumentParams) -> None:
    server.session.documents.put_text_document(params.text_document)
    _touch(server, params.text_document.uri)


def did_change(server: Server, params: types.DidChangeTextDocumentParams) -> None:
    for change in params.content_changes:
        server.session.documents.update_text_document(params.text_document, change)
    _touch(server, params.text_document.uri)


def did_close(server: Server, params: types.DidCloseTextDocumentParams) -> None:
    server.session.documents.remove_text_document(params.text_document.uri)
    _touch(server, params.text_document.uri, closed=True)


def did_save(server: Server, params: types.DidSaveTextDocumentParams) -> None:
    from specls.lsp.commands import settle_pending

    state = server.state_for(params.text_document.uri)
    if state is not None and (rel := state.snapshot.rel(params.text_document.uri)):
        server.session.note_file(state, rel)
        settle_pending(server, state, rel)
        server.session.schedule(state)


def did_change_watched_files(server: Server, params: types.DidChangeWatchedFilesParams) -> None:
    server.watcher.on_client_events([c.uri for c in params.changes])


async def execute_command(server: Server, params: types.ExecuteCommandParams) -> Any:
    """`workspace/executeCommand` for in-process hosts (pygls dispatches it itself)."""
    from pygls.exceptions import JsonRpcInvalidParams

    from specls.lsp.guard import guard_command
    from specls.lsp.routes import COMMANDS

    handler = COMMANDS.get(params.command)
    if handler is None:
        raise JsonRpcInvalidParams(f"Command name {params.command!r} is not defined")
    return await guard_command(server, params.command, handler, params.arguments)
