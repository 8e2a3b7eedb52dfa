"""Go to definition (`specls.ide.targets.targets_at`) in the protocol's terms.

`LocationLink`s when the client has `linkSupport`, plain `Location`s otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from specls.ide.targets import Target, targets_at
from specls.lsp.convert import from_position, path_to_uri, to_range
from specls.lsp.snapshot import Snapshot
from specls.text import Range

Result = list[types.LocationLink] | list[types.Location] | None


def link_support(caps: types.ClientCapabilities, method: str) -> bool:
    td = caps.text_document
    if td is None:
        return False
    cap = td.implementation if method == types.TEXT_DOCUMENT_IMPLEMENTATION else td.definition
    return bool(cap and cap.link_support)


def to_result(
    snap: Snapshot, origin: Range | None, targets: Sequence[Target], links: bool
) -> Result:
    if not targets:
        return None
    if links:
        return [
            types.LocationLink(
                target_uri=path_to_uri(snap.root / t.rel),
                target_range=to_range(t.range),
                target_selection_range=to_range(t.selection),
                origin_selection_range=to_range(origin) if origin else None,
            )
            for t in targets
        ]
    return [
        types.Location(uri=path_to_uri(snap.root / t.rel), range=to_range(t.selection))
        for t in targets
    ]


def run(snap: Snapshot, params: types.DefinitionParams) -> Result:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return None
    origin, targets = targets_at(snap.ide, rel, from_position(params.position))
    links = link_support(snap.capabilities, types.TEXT_DOCUMENT_DEFINITION)
    return to_result(snap, origin, targets, links)
