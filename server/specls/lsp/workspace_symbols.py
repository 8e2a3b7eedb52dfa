"""Workspace symbols (`specls.ide.symbols`) over every root, best matches first."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from lsprotocol import types

from specls.ide.symbols import LIMIT, rank, workspace_symbols
from specls.lsp.convert import location
from specls.lsp.document_symbols import KINDS
from specls.lsp.snapshot import Snapshot


def run(
    snaps: Sequence[Snapshot], params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    query = params.query.strip()
    found = [(s.root, sym) for s in snaps for sym in workspace_symbols(s.workspace, query)]
    best = heapq.nsmallest(LIMIT, found, key=lambda pair: rank(pair[1]))  # sorted()[:LIMIT]
    return [
        types.WorkspaceSymbol(
            name=sym.name,
            kind=KINDS[sym.kind],
            container_name=sym.container,
            location=location(root, sym.rel, sym.range),
        )
        for root, sym in best
    ]
