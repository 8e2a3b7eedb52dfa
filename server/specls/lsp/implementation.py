"""Go to implementation: a section → the outputs it generates (see `definition`)."""

from __future__ import annotations

from lsprotocol import types

from specls.lsp.convert import from_position
from specls.lsp.definition import Result, implementations, link_support
from specls.lsp.snapshot import Snapshot


def run(snap: Snapshot, params: types.ImplementationParams) -> Result:
    links = link_support(snap.capabilities, types.TEXT_DOCUMENT_IMPLEMENTATION)
    return implementations(snap, params.text_document.uri, from_position(params.position), links)
