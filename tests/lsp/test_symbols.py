"""Document and workspace symbols through the protocol."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import change_doc, open_doc, uri, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient


def rng(line: int, start: int, end_line: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=end_line, character=end),
    )


def tree(symbols: list[types.DocumentSymbol]) -> list[tuple]:
    return [
        (
            s.name,
            s.detail,
            s.kind,
            s.range,
            s.selection_range,
            tree(list(s.children or [])),
        )
        for s in symbols
    ]


async def document_symbols(client: LanguageClient, doc_uri: str) -> list[tuple]:
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=doc_uri))
    )
    assert result is not None
    symbols = [s for s in result if isinstance(s, types.DocumentSymbol)]
    assert len(symbols) == len(result)
    return tree(symbols)


NS, MOD, CONST = types.SymbolKind.Namespace, types.SymbolKind.Module, types.SymbolKind.Constant


async def test_document_symbols_tree(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "requirements.spec.md"
    doc_uri = open_doc(client, spec)
    assert await document_symbols(client, doc_uri) == [
        (
            "Shop requirements",
            "#requirements",
            NS,
            rng(3, 0, 17, 65),
            rng(3, 2, 3, 19),
            [
                (
                    "Functional requirements",
                    "#functional",
                    NS,
                    rng(8, 0, 13, 67),
                    rng(8, 3, 8, 26),
                    [
                        (
                            "FR-001",
                            "The system MUST list products with a name and a price in euros (€).",
                            CONST,
                            rng(10, 4, 10, 10),
                            rng(10, 4, 10, 10),
                            [],
                        ),
                        (
                            "FR-002",
                            "The system MUST let a registered user log in with a password.",
                            CONST,
                            rng(11, 4, 11, 10),
                            rng(11, 4, 11, 10),
                            [],
                        ),
                        (
                            "FR-003",
                            "The system MUST keep a cart per user and compute its total.",
                            CONST,
                            rng(12, 4, 12, 10),
                            rng(12, 4, 12, 10),
                            [],
                        ),
                        (
                            "FR-004",
                            "The system MUST never store a password in clear text.",
                            CONST,
                            rng(13, 4, 13, 10),
                            rng(13, 4, 13, 10),
                            [],
                        ),
                    ],
                ),
                (
                    "Success criteria",
                    "#success",
                    NS,
                    rng(15, 0, 17, 65),
                    rng(15, 3, 15, 19),
                    [
                        (
                            "SC-001",
                            "A cart total is exact to the cent (covers: FR-003).",
                            CONST,
                            rng(17, 4, 17, 10),
                            rng(17, 4, 17, 10),
                            [],
                        )
                    ],
                ),
            ],
        )
    ]


async def test_document_symbols_after_non_ascii(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    # A unit with emoji and CJK in its heading before its title end and `{#id}`.
    change_doc(
        client,
        doc_uri,
        text + "\n## Panier 🛒 購物 {#basket}\n[@generate](../src/shop/basket.py)\n\n"
        "- **FR-009**: 👤 un panier par client\n",
        2,
    )
    n = len(text.splitlines())
    symbols = await document_symbols(client, doc_uri)
    (top,) = symbols
    assert top[:5] == ("Cart 🛒", "#cart-", NS, rng(0, 0, n + 4, 37), rng(0, 2, 0, 9))
    assert [c[0] for c in top[5]] == ["Cart model", "Pricing rules", "Panier 🛒 購物"]
    assert top[5][0][2] == MOD  # a generation unit
    assert top[5][2] == (
        "Panier 🛒 購物",
        "#basket",
        MOD,
        rng(n + 1, 0, n + 4, 37),
        rng(n + 1, 3, n + 1, 15),
        [
            (
                "FR-009",
                "👤 un panier par client",
                CONST,
                rng(n + 4, 4, n + 4, 10),
                rng(n + 4, 4, n + 4, 10),
                [],
            )
        ],
    )


async def workspace_symbols(
    client: LanguageClient, query: str
) -> list[types.WorkspaceSymbol | types.SymbolInformation]:
    # The server sends `WorkspaceSymbol`s with a full location; lsprotocol reads a
    # list whose items have a range as `SymbolInformation`: same fields for this test.
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    assert result is not None
    return list(result)


async def test_workspace_symbols_fuzzy(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    await wait_for(lambda: bool(client.status_notes), message="specls/status")  # type: ignore[attr-defined]
    found = await workspace_symbols(client, "usmod")
    assert [(s.name, s.kind, s.container_name) for s in found] == [
        ("User model", MOD, "specs/users.spec.md#user-model")
    ]
    assert found[0].location == types.Location(
        uri=uri(root / "specs" / "users.spec.md"), range=rng(2, 0, 2, 27)
    )

    found = await workspace_symbols(client, "fr3")
    assert [(s.name, s.kind) for s in found] == [("FR-003", CONST)]
    assert found[0].location == types.Location(
        uri=uri(root / "specs" / "requirements.spec.md"), range=rng(12, 4, 12, 10)
    )

    # Best match first: the exact ID, then the heading that starts with the query.
    names = [s.name for s in await workspace_symbols(client, "cart")]
    assert names[:2] == ["Cart model", "Cart 🛒"]
    assert "Functional requirements" in names  # f-u-n-c-t-i-o-n-a-l r-e-q-u-i-r-e-m-e-n-t-s

    assert await workspace_symbols(client, "zzzz") == []
