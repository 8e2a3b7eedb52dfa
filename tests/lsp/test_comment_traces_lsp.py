"""Go to definition and hover from a requirement ID in a code comment, through the
server's routing table (in-process), for both client profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_tree
from inprocess import InProcess
from lsprotocol import types

SPEC = "# Shop\n\n## Cart {#cart}\n\n- **FR-001**: Carts MUST add up.\n"
PY = "# Implements FR-001\ndef total() -> int:\n    return 0\n"


@pytest.mark.parametrize("profile", ["visual_studio_code", "neovim"])
async def test_definition_and_hover_from_a_comment(tmp_path: Path, profile: str) -> None:
    write_tree(tmp_path, {"specs/shop.spec.md": SPEC, "src/shop.py": PY})
    lsp = await InProcess(tmp_path, profile).start()
    doc = await lsp.open("src/shop.py")
    where = types.TextDocumentIdentifier(uri=doc)
    at = types.Position(line=0, character=15)
    result = await lsp.request(
        types.TEXT_DOCUMENT_DEFINITION, types.DefinitionParams(text_document=where, position=at)
    )
    [target] = result
    if isinstance(target, types.LocationLink):
        assert target.target_uri.endswith("specs/shop.spec.md")
        assert target.target_selection_range.start.line == 4
        assert target.origin_selection_range == types.Range(
            start=types.Position(line=0, character=13), end=types.Position(line=0, character=19)
        )
    else:
        assert target.uri.endswith("specs/shop.spec.md") and target.range.start.line == 4
    shown = await lsp.request(
        types.TEXT_DOCUMENT_HOVER, types.HoverParams(text_document=where, position=at)
    )
    assert shown is not None and "Carts MUST add up." in str(shown.contents)
    await lsp.stop()
