"""Document symbols (`specls.ide.symbols`): the section tree as `DocumentSymbol`s.

An outline is asked for again and again while nothing changed (on focus, on
every scroll in some clients, after each edit settles), and a 5,000-line
spec has thousands of symbols: the answer is built once per document
version, directly in its JSON form (`convert.Json`, no attrs objects for
cattrs to walk), and kept for the next request on the same text.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from lsprotocol import types

from specls.dialect import SpecDocument
from specls.ide.symbols import DocumentSymbol, SymbolKind, document_symbols
from specls.lsp.convert import Json, json_range, to_range
from specls.lsp.snapshot import Snapshot

KINDS = {
    SymbolKind.MODULE: types.SymbolKind.Module,
    SymbolKind.NAMESPACE: types.SymbolKind.Namespace,
    SymbolKind.CONSTANT: types.SymbolKind.Constant,
    SymbolKind.KEY: types.SymbolKind.Key,
    SymbolKind.STORY: types.SymbolKind.Event,
}
_KIND_VALUES = {k: v.value for k, v in KINDS.items()}
_KEEP = 16  # documents whose outline is kept

_lock = threading.Lock()
_cache: dict[tuple[Path, str], tuple[SpecDocument, str, Json]] = {}


def to_symbol(sym: DocumentSymbol) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=sym.name,
        detail=sym.detail,
        kind=KINDS[sym.kind],
        range=to_range(sym.range),
        selection_range=to_range(sym.selection_range),
        children=[to_symbol(c) for c in sym.children] or None,
    )


def to_json(sym: DocumentSymbol) -> dict[str, Any]:
    """`to_symbol` as lsprotocol's converter would write it (None fields left out)."""
    out: dict[str, Any] = {
        "name": sym.name,
        "detail": sym.detail,
        "kind": _KIND_VALUES[sym.kind],
        "range": json_range(sym.range),
        "selectionRange": json_range(sym.selection_range),
    }
    if sym.children:
        out["children"] = [to_json(c) for c in sym.children]
    return out


def outline(root: Path, doc: SpecDocument, text: str) -> Json:
    """The document's symbols in JSON form, built once per (document, text)."""
    key = (root, doc.path)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] is doc and cached[1] == text:
        return cached[2]
    result = Json([to_json(s) for s in document_symbols(doc, text)])
    with _lock:
        _cache.pop(key, None)
        _cache[key] = (doc, text, result)
        while len(_cache) > _KEEP:
            del _cache[next(iter(_cache))]
    return result


def run(snap: Snapshot, params: types.DocumentSymbolParams) -> Json:
    rel = snap.rel(params.text_document.uri)
    doc = snap.workspace.docs.get(rel) if rel else None
    if doc is None or rel is None:
        return Json([])
    return outline(snap.root, doc, snap.text(rel) or "")
