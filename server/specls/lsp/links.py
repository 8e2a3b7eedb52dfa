"""Document links (`specls.ide.links`).

A file links as `file:///…`; a section or a symbol as `file:///…#L12`
(1-based, the form VS Code and Neovim open). Tooltips only for clients
that announce `tooltipSupport`.
"""

from __future__ import annotations

from lsprotocol import types

from specls.ide.links import DocumentLink, document_links
from specls.lsp.convert import path_to_uri, to_range
from specls.lsp.snapshot import Snapshot

OPTIONS = types.DocumentLinkOptions(resolve_provider=False)


def tooltip_support(caps: types.ClientCapabilities) -> bool:
    link = caps.text_document.document_link if caps.text_document else None
    return bool(link and link.tooltip_support)


def to_link(snap: Snapshot, link: DocumentLink, tooltips: bool) -> types.DocumentLink:
    uri = path_to_uri(snap.root / link.target.rel)
    if link.line is not None:
        uri = f"{uri}#L{link.line}"
    return types.DocumentLink(
        range=to_range(link.range), target=uri, tooltip=link.tooltip if tooltips else None
    )


def run(snap: Snapshot, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return []
    tooltips = tooltip_support(snap.capabilities)
    return [to_link(snap, link, tooltips) for link in document_links(snap.ide, rel)]
