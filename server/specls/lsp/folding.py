"""Folding ranges (`specls.ide.folding`)."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.folding import folding_ranges
from specls.lsp.snapshot import Snapshot


def run(snap: Snapshot, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    doc = snap.doc(params.text_document.uri)
    if doc is None:
        return []
    return [types.FoldingRange(start_line=s, end_line=e) for s, e in folding_ranges(doc)]
