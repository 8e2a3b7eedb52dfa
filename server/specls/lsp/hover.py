"""Hover (`specls.ide.hover`): Markdown when the client renders it, plain text otherwise."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.hover import hover
from specls.lsp.convert import from_position, to_range
from specls.lsp.snapshot import Snapshot


def wants_markdown(caps: types.ClientCapabilities) -> bool:
    hover_caps = caps.text_document.hover if caps.text_document else None
    formats = (hover_caps.content_format if hover_caps else None) or []
    return types.MarkupKind.Markdown in formats


def run(snap: Snapshot, params: types.HoverParams) -> types.Hover | None:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return None
    markdown = wants_markdown(snap.capabilities)
    found = hover(snap.ide, rel, from_position(params.position), markdown)
    if found is None:
        return None
    kind = types.MarkupKind.Markdown if found.markdown else types.MarkupKind.PlainText
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=found.text),
        range=to_range(found.range) if found.range else None,
    )
