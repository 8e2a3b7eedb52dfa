"""Document symbols (`specls.ide.symbols`): the section tree as `DocumentSymbol`s."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.symbols import DocumentSymbol, SymbolKind, document_symbols
from specls.lsp.convert import to_range
from specls.lsp.snapshot import Snapshot

KINDS = {
    SymbolKind.MODULE: types.SymbolKind.Module,
    SymbolKind.NAMESPACE: types.SymbolKind.Namespace,
    SymbolKind.CONSTANT: types.SymbolKind.Constant,
    SymbolKind.KEY: types.SymbolKind.Key,
    SymbolKind.STORY: types.SymbolKind.Event,
}


def to_symbol(sym: DocumentSymbol) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=sym.name,
        detail=sym.detail,
        kind=KINDS[sym.kind],
        range=to_range(sym.range),
        selection_range=to_range(sym.selection_range),
        children=[to_symbol(c) for c in sym.children] or None,
    )


def run(snap: Snapshot, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    rel = snap.rel(params.text_document.uri)
    doc = snap.workspace.docs.get(rel) if rel else None
    if doc is None or rel is None:
        return []
    return [to_symbol(s) for s in document_symbols(doc, snap.text(rel) or "")]
