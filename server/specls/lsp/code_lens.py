"""Code lens (`specls.ide.code_lens`), each action bound to its command."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.code_lens import Lens, LensAction, code_lenses
from specls.lsp.commands import REGENERATE, SHOW_OUTPUTS
from specls.lsp.convert import to_range
from specls.lsp.open_section import OPEN_SECTION
from specls.lsp.snapshot import Snapshot

COMMANDS = {
    LensAction.SHOW_OUTPUTS: SHOW_OUTPUTS,
    LensAction.REGENERATE: REGENERATE,
    LensAction.OPEN_SECTION: OPEN_SECTION,
}


def to_lens(lens: Lens) -> types.CodeLens:
    return types.CodeLens(
        range=to_range(lens.range),
        command=types.Command(
            title=lens.title, command=COMMANDS[lens.action], arguments=[lens.argument]
        ),
    )


def run(snap: Snapshot, params: types.CodeLensParams) -> list[types.CodeLens]:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return []
    return [to_lens(lens) for lens in code_lenses(snap.ide, rel)]
