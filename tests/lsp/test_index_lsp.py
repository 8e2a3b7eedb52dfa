"""Through the server (in-process): requests answered from indexes follow the edits.

Typing in one spec changes what references, workspace symbols, definition
and completion find in it and from the others, before and after the
debounced analysis, with non-ASCII text before every position.
"""

from __future__ import annotations

from pathlib import Path

from helpers import write_tree
from inprocess import InProcess
from lsprotocol import types

CART = "# Cart 🛒\n\n## Cart model {#cart}\n\n- **FR-001**: Carts MUST add up — 見る.\n"
USERS = "# Users\n\n## User 🧑 {#user}\n[@use](cart.spec.md#cart)\n\n(covers: FR-001)\n"


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


async def test_references_symbols_and_completion_follow_edits(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specs/cart.spec.md": CART, "specs/users.spec.md": USERS})
    lsp = await InProcess(tmp_path, "visual_studio_code").start()
    cart = await lsp.open("specs/cart.spec.md")
    users = await lsp.open("specs/users.spec.md")

    async def references(doc: str, at: types.Position) -> list[tuple[str, int, int]]:
        found = await lsp.request(
            types.TEXT_DOCUMENT_REFERENCES,
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(uri=doc),
                position=at,
                context=types.ReferenceContext(include_declaration=False),
            ),
        )
        return [
            (loc.uri.rsplit("/", 1)[-1], loc.range.start.line, loc.range.start.character)
            for loc in found or []
        ]

    async def symbols(query: str) -> list[str]:
        found = await lsp.request(types.WORKSPACE_SYMBOL, types.WorkspaceSymbolParams(query=query))
        return [s.name for s in found or []]

    # FR-001 at line 4 of cart.spec.md: traced once, in users.spec.md (after 🧑).
    assert await references(cart, pos(4, 5)) == [("users.spec.md", 5, 9)]
    assert await references(cart, pos(2, 4)) == [("users.spec.md", 3, 7)]
    assert await symbols("käse") == []
    # A second trace and a new section: found from the other document once analysed.
    await lsp.change(users, USERS + "## Käse 🧀 {#kase}\nAlso FR-001 here.\n")
    await lsp.settled()
    assert await references(cart, pos(4, 5)) == [
        ("users.spec.md", 5, 9),
        ("users.spec.md", 7, 5),
    ]
    assert await symbols("käse") == ["Käse 🧀"]
    # Both traces go (the new section too); `#cart` is renamed, so its `@use` no longer
    # names it: the request on the renamed document sees its live text before any analysis.
    await lsp.change(users, USERS.replace("(covers: FR-001)", "(nothing)"))
    await lsp.change(cart, CART.replace("{#cart}", "{#basket}"))
    assert await references(cart, pos(2, 4)) == []
    await lsp.settled()
    assert await references(cart, pos(4, 5)) == []
    assert await symbols("käse") == []
    completion = await lsp.request(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=users), position=pos(3, 19)
        ),
    )
    assert completion is not None
    assert "cart.spec.md#basket" in [i.label for i in completion.items]
    await lsp.stop()
