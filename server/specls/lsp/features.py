"""The routing table of read-only features: LSP method → module `run(snapshot, params)`.

Every feature module exposes `run(snap, params)`, a pure function over a
frozen snapshot, run in a worker thread. A bug inside one becomes an LSP
error for that request; the server keeps running.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer

from specls.lsp import completion, definition, hover, implementation, links, references

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
]


def guarded(module: ModuleType) -> Callable[[Any, Any], Any]:
    def call(snap: Any, params: Any) -> Any:
        try:
            return module.run(snap, params)
        except Exception as exc:
            log.exception("%s failed", module.__name__)
            raise JsonRpcInternalError(f"{module.__name__.rsplit('.', 1)[-1]}: {exc}") from exc

    return call


def register(server: LanguageServer, run_feature: RunFeature) -> None:
    for method, module, options, default in TABLE:
        _register_one(server, run_feature, method, module, options, default)


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
