"""The routing table of read-only features: LSP method → module `run(snapshot, params)`.

Every feature module exposes `run(snap, params)`, a pure function over a
frozen snapshot, run in a worker thread. A bug inside one becomes an LSP
error for that request; the server keeps running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer

from specls.lsp import (
    code_actions,
    code_lens,
    completion,
    definition,
    document_symbols,
    folding,
    hover,
    implementation,
    links,
    open_section,
    references,
    rename,
    semantic_tokens,
    workspace_symbols,
)

log = logging.getLogger(__name__)

RunFeature = Callable[[Callable[[Any, Any], Any], str, Any, Any], Awaitable[Any]]

# (method, module, options, result when the document is unknown)
TABLE: list[tuple[str, ModuleType, Any, Any]] = [
    (types.TEXT_DOCUMENT_COMPLETION, completion, completion.OPTIONS, None),
    (types.TEXT_DOCUMENT_DEFINITION, definition, None, None),
    (types.TEXT_DOCUMENT_IMPLEMENTATION, implementation, None, None),
    (types.TEXT_DOCUMENT_REFERENCES, references, None, None),
    (types.TEXT_DOCUMENT_HOVER, hover, None, None),
    (types.TEXT_DOCUMENT_DOCUMENT_LINK, links, links.OPTIONS, []),
    (types.TEXT_DOCUMENT_CODE_LENS, code_lens, None, []),
    (types.TEXT_DOCUMENT_CODE_ACTION, code_actions, code_actions.OPTIONS, []),
    (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, document_symbols, None, []),
    (types.TEXT_DOCUMENT_RENAME, rename, None, None),
    (types.TEXT_DOCUMENT_PREPARE_RENAME, rename, None, None),
    (types.TEXT_DOCUMENT_FOLDING_RANGE, folding, None, []),
    (types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, semantic_tokens, semantic_tokens.LEGEND, None),
]


def guarded(module: ModuleType) -> Callable[[Any, Any], Any]:
    def call(snap: Any, params: Any) -> Any:
        try:
            return module.run(snap, params)
        except JsonRpcException:  # a deliberate error for the client (e.g. an invalid rename)
            raise
        except Exception as exc:
            log.exception("%s failed", module.__name__)
            raise JsonRpcInternalError(f"{module.__name__.rsplit('.', 1)[-1]}: {exc}") from exc

    return call


def register(server: LanguageServer, run_feature: RunFeature) -> None:
    for method, module, options, default in TABLE:
        _register_one(server, run_feature, method, module, options, default)
    _register_workspace_symbols(server)
    open_section.register(server)


def _register_workspace_symbols(server: LanguageServer) -> None:
    """`workspace/symbol` has no document: it runs over the snapshots of every root."""
    fn = guarded(workspace_symbols)

    @server.feature(types.WORKSPACE_SYMBOL)
    async def on_workspace_symbol(ls: Any, params: types.WorkspaceSymbolParams) -> Any:
        snaps = [await ls.session.current(state) for state in list(ls.session.roots.values())]
        return await asyncio.to_thread(fn, snaps, params)


def _register_one(
    server: LanguageServer,
    run_feature: RunFeature,
    method: str,
    module: ModuleType,
    options: Any,
    default: Any,
) -> None:
    fn = guarded(module)

    @server.feature(method, options)
    async def handler(ls: LanguageServer, params: Any) -> Any:
        return await run_feature(fn, params.text_document.uri, params, default)

    handler.__name__ = f"on_{module.__name__.rsplit('.', 1)[-1]}"
