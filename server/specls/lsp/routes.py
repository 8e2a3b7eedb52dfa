"""The one routing table: every request, notification and command the server handles.

Each route names its handler, whether it may change the session (`MUTATES`:
run on the event loop in arrival order, never awaiting before the change),
and its registration options. Read-only features are a module's pure
`run(snapshot, params)`, run in a worker thread on the frozen snapshot of the
document's root. Every route runs under one error guard (`guard.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from specls.lsp import (
    code_actions,
    code_lens,
    commands,
    completion,
    definition,
    document_symbols,
    folding,
    handlers,
    hover,
    implementation,
    links,
    open_section,
    references,
    rename,
    semantic_tokens,
    trace,
    workspace_symbols,
)
from specls.lsp.guard import guard_command, guard_notification, guard_request

if TYPE_CHECKING:
    from specls.lsp.server import Server

Handler = Callable[["Server", Any], Any]


@dataclass(frozen=True)
class Route:
    method: str
    handler: Handler
    notification: bool = False
    options: Any = None


def feature(module: ModuleType, default: Any) -> Handler:
    """A read-only feature: the document's snapshot, then `module.run` in a thread."""

    async def handle(server: Server, params: Any) -> Any:
        snap = await server.snapshot_for(params.text_document.uri)
        if snap is None:
            return default
        return await asyncio.to_thread(module.run, snap, params)

    handle.__name__ = module.__name__.rsplit(".", 1)[-1]
    return handle


async def _workspace_symbols(server: Server, params: types.WorkspaceSymbolParams) -> Any:
    """`workspace/symbol` has no document: it runs over the snapshots of every root."""
    snaps = await server.snapshots()
    return await asyncio.to_thread(workspace_symbols.run, snaps, params)


def _notification(method: str, handler: Handler) -> Route:
    return Route(method, handler, notification=True)


ROUTES: list[Route] = [
    # lifecycle and document sync: these change the session
    Route(types.INITIALIZE, handlers.initialize),
    _notification(types.INITIALIZED, handlers.initialized),
    Route(types.SHUTDOWN, handlers.shutdown),
    _notification(types.WORKSPACE_DID_CHANGE_CONFIGURATION, handlers.did_change_configuration),
    _notification(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, handlers.did_change_folders),
    _notification(types.TEXT_DOCUMENT_DID_OPEN, handlers.did_open),
    _notification(types.TEXT_DOCUMENT_DID_CHANGE, handlers.did_change),
    _notification(types.TEXT_DOCUMENT_DID_CLOSE, handlers.did_close),
    _notification(types.TEXT_DOCUMENT_DID_SAVE, handlers.did_save),
    _notification(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, handlers.did_change_watched_files),
    # read-only features on a snapshot
    Route(types.TEXT_DOCUMENT_COMPLETION, feature(completion, None), options=completion.OPTIONS),
    Route(types.TEXT_DOCUMENT_DEFINITION, feature(definition, None)),
    Route(types.TEXT_DOCUMENT_IMPLEMENTATION, feature(implementation, None)),
    Route(types.TEXT_DOCUMENT_REFERENCES, feature(references, None)),
    Route(types.TEXT_DOCUMENT_HOVER, feature(hover, None)),
    Route(types.TEXT_DOCUMENT_DOCUMENT_LINK, feature(links, []), options=links.OPTIONS),
    Route(types.TEXT_DOCUMENT_CODE_LENS, feature(code_lens, [])),
    Route(
        types.TEXT_DOCUMENT_CODE_ACTION,
        feature(code_actions, []),
        options=code_actions.OPTIONS,
    ),
    Route(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, feature(document_symbols, [])),
    Route(types.TEXT_DOCUMENT_RENAME, feature(rename, None)),
    Route(types.TEXT_DOCUMENT_PREPARE_RENAME, feature(rename, None)),
    Route(types.TEXT_DOCUMENT_FOLDING_RANGE, feature(folding, [])),
    Route(
        types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
        feature(semantic_tokens, None),
        options=semantic_tokens.LEGEND,
    ),
    Route(types.WORKSPACE_SYMBOL, _workspace_symbols),
    Route(types.WORKSPACE_EXECUTE_COMMAND, handlers.execute_command),
]

# `workspace/executeCommand`: command name → handler(server, the command's argument object)
COMMANDS: dict[str, Callable[[Server, dict[str, Any]], Any]] = {
    commands.REGENERATE: commands.regenerate,
    commands.REGENERATE_STALE: commands.regenerate_stale,
    commands.STAMP: commands.stamp,
    commands.SHOW_OUTPUTS: commands.show_outputs,
    commands.GRAPH: commands.graph,
    commands.STATUS: commands.status,
    open_section.OPEN_SECTION: open_section.open_section,
    open_section.SHOW_DIFF: open_section.show_diff,
    trace.TRACE: trace.trace,
}

_BY_METHOD = {r.method: r for r in ROUTES}


def handler_for(method: str) -> Callable[[Server, Any], Any]:
    """The guarded handler of `method` (in-process hosts and tests)."""
    route = _BY_METHOD.get(method)
    if route is None:
        raise KeyError(f"no route for {method}")
    if route.notification:
        return lambda server, params: guard_notification(
            server, route.method, route.handler, params
        )
    return lambda server, params: guard_request(server, route.method, route.handler, params)


def register_all(ls: LanguageServer, server: Server) -> None:
    """Register every route with pygls. Handlers take only `params` (no `ls`):
    the `Server` is bound here, not found through a module global."""
    for route in ROUTES:
        if route.method == types.WORKSPACE_EXECUTE_COMMAND:
            continue  # pygls dispatches commands itself, to the handlers registered below
        ls.feature(route.method, route.options)(_bind(server, route))
    for name in COMMANDS:
        ls.command(name)(_bind_command(server, name))


def _bind(server: Server, route: Route) -> Callable[..., Any]:
    if route.notification and not asyncio.iscoroutinefunction(route.handler):

        def notify(params: Any) -> None:  # synchronous: applied in arrival order
            guard_notification(server, route.method, route.handler, params)

        return notify

    async def request(params: Any) -> Any:
        result = (
            guard_notification(server, route.method, route.handler, params)
            if route.notification
            else guard_request(server, route.method, route.handler, params)
        )
        return await result if asyncio.iscoroutine(result) else result

    return request


def _bind_command(server: Server, name: str) -> Callable[..., Any]:
    async def command(ls: LanguageServer, *args: object) -> Any:
        # pygls passes its LanguageServer first (the `ls` name asks for it); unused here
        return await guard_command(server, name, COMMANDS[name], args)

    return command
