"""Find references (`specls.ide.references`) as protocol `Location`s."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.references import references
from specls.lsp.convert import from_position, location
from specls.lsp.snapshot import Snapshot


def run(snap: Snapshot, params: types.ReferenceParams) -> list[types.Location] | None:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return None
    found = references(
        snap.ide, rel, from_position(params.position), params.context.include_declaration
    )
    return [location(snap.root, path, rng) for path, rng in found] or None
