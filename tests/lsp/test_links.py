"""Document links through the protocol: directive targets and task-line paths."""

from __future__ import annotations

from fixture import fixture
from lsp_helpers import open_doc, root_of, uri
from lsprotocol import types
from pytest_lsp import LanguageClient


def at(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


async def links(client: LanguageClient, doc_uri: str) -> list[tuple[types.Range, str, str]]:
    result = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=doc_uri))
    )
    return [(link.range, link.target or "", link.tooltip or "") for link in result or []]


def tip(client: LanguageClient, text: str) -> str:
    """The tooltip a client gets: none for Neovim, which lacks `tooltipSupport`."""
    return "" if client.client_name == "neovim" else text  # type: ignore[attr-defined]


async def test_directive_targets_are_links(client: LanguageClient) -> None:
    root = root_of(client)
    doc_uri = open_doc(client, root / "specs" / "auth.spec.md")
    users = uri(root / "specs" / "users.spec.md")
    app = uri(root / "src" / "shop" / "app.py")
    to_users = tip(client, "Go to section “User model” (specs/users.spec.md#user-model)")
    assert await links(client, doc_uri) == [
        (at(5, 7, 31), f"{users}#L3", to_users),
        (
            at(8, 12, 31),
            uri(root / "src" / "shop" / "auth.py"),
            tip(client, "Open src/shop/auth.py"),
        ),
        (
            at(8, 45, 78),
            f"{app}#L11",
            tip(client, "Open create_session in src/shop/app.py (line 11)"),
        ),
        (at(9, 7, 31), f"{users}#L3", to_users),
        (at(43, 12, 35), f"{app}#L17", tip(client, "Open main in src/shop/app.py (line 17)")),
    ]


async def test_links_after_emoji_same_document_and_missing_targets(
    client: LanguageClient,
) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    f = fixture(
        "# Cart 🛒\n"
        "🛒 カート [@use](#$0pricing) [@generate](../src/shop/nowhere.py)\n"
        "- [ ] T001 🛒 in src/shop/cart.py\n"
        "## Pricing rules {#pricing}\n",
        "specs/cart.spec.md",
    )
    doc_uri = open_doc(client, cart, f.text)
    assert f.cursor == types.Position(line=1, character=15)  # 🛒 counts twice
    assert await links(client, doc_uri) == [
        (
            at(1, 14, 22),
            f"{doc_uri}#L4",
            tip(client, "Go to section “Pricing rules” (specs/cart.spec.md#pricing)"),
        ),
        # nowhere.py does not exist: no link
        (
            at(2, 17, 33),
            uri(root / "src" / "shop" / "cart.py"),
            tip(client, "Open src/shop/cart.py"),
        ),
    ]
