"""Code lens (`specls.ide.code_lens`), each action bound to its command.

"Show references" is a client-side command, `specls.showReferences`, with
the arguments of VS Code's `editor.action.showReferences` in LSP form (the
document URI, the position, the locations): the client converts and runs
it. An information-only lens has an empty command (shown, not clickable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types

from specls.ide.code_lens import Lens, LensAction, code_lenses
from specls.lsp.commands import REGENERATE, SHOW_OUTPUTS
from specls.lsp.convert import path_to_uri, to_range
from specls.lsp.open_section import OPEN_SECTION
from specls.lsp.snapshot import Snapshot

SHOW_REFERENCES = "specls.showReferences"
COMMANDS = {
    LensAction.SHOW_OUTPUTS: SHOW_OUTPUTS,
    LensAction.REGENERATE: REGENERATE,
    LensAction.OPEN_SECTION: OPEN_SECTION,
    LensAction.SHOW_REFERENCES: SHOW_REFERENCES,
    LensAction.NONE: "",
}


def _json_range(rng: Any) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def _arguments(root: Path, lens: Lens) -> list[Any] | None:
    if lens.action is LensAction.NONE:
        return None
    if lens.action is LensAction.SHOW_REFERENCES:
        a = lens.argument
        locations = [
            {"uri": path_to_uri(root / rel), "range": _json_range(rng)}
            for rel, rng in a["locations"]
        ]
        position = {"line": a["line"], "character": a["character"]}
        return [path_to_uri(root / a["path"]), position, locations]
    return [lens.argument]


def to_lens(lens: Lens, root: Path) -> types.CodeLens:
    return types.CodeLens(
        range=to_range(lens.range),
        command=types.Command(
            title=lens.title, command=COMMANDS[lens.action], arguments=_arguments(root, lens)
        ),
    )


def run(snap: Snapshot, params: types.CodeLensParams) -> list[types.CodeLens]:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return []
    return [to_lens(lens, snap.ide.root) for lens in code_lenses(snap.ide, rel)]
