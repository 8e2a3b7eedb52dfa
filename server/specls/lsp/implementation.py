"""Go to implementation: a section → the outputs it generates (`ide.targets`)."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.targets import implementation_targets
from specls.lsp.convert import from_position
from specls.lsp.definition import Result, link_support, to_result
from specls.lsp.snapshot import Snapshot


def run(snap: Snapshot, params: types.ImplementationParams) -> Result:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return None
    origin, targets = implementation_targets(snap.ide, rel, from_position(params.position))
    links = link_support(snap.capabilities, types.TEXT_DOCUMENT_IMPLEMENTATION)
    return to_result(snap, origin, targets, links)
