"""Document and workspace symbols through the protocol."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import change_doc, line_of, open_doc, uri, wait_for
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
    top, functional, success = (
        line_of(spec, h) for h in ("# Shop requirements", "## Functional", "## Success")
    )
    fr1, fr2, fr3, fr4, sc1 = (
        line_of(spec, f"**{rid}**") for rid in ("FR-001", "FR-002", "FR-003", "FR-004", "SC-001")
    )
    assert await document_symbols(client, doc_uri) == [
        (
            "Shop requirements",
            "#requirements",
            NS,
            rng(top, 0, sc1, 65),
            rng(top, 2, top, 19),
            [
                (
                    "Functional requirements",
                    "#functional",
                    NS,
                    rng(functional, 0, fr4, 67),
                    rng(functional, 3, functional, 26),
                    [
                        (
                            "FR-001",
                            "The system MUST list products with a name and a price in euros (€).",
                            CONST,
                            rng(fr1, 4, fr1, 10),
                            rng(fr1, 4, fr1, 10),
                            [],
                        ),
                        (
                            "FR-002",
                            "The system MUST let a registered user log in with a password.",
                            CONST,
                            rng(fr2, 4, fr2, 10),
                            rng(fr2, 4, fr2, 10),
                            [],
                        ),
                        (
                            "FR-003",
                            "The system MUST keep a cart per user and compute its total.",
                            CONST,
                            rng(fr3, 4, fr3, 10),
                            rng(fr3, 4, fr3, 10),
                            [],
                        ),
                        (
                            "FR-004",
                            "The system MUST never store a password in clear text.",
                            CONST,
                            rng(fr4, 4, fr4, 10),
                            rng(fr4, 4, fr4, 10),
                            [],
                        ),
                    ],
                ),
                (
                    "Success criteria",
                    "#success",
                    NS,
                    rng(success, 0, sc1, 65),
                    rng(success, 3, success, 19),
                    [
                        (
                            "SC-001",
                            "A cart total is exact to the cent (covers: FR-003).",
                            CONST,
                            rng(sc1, 4, sc1, 10),
                            rng(sc1, 4, sc1, 10),
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
    first = line_of(spec, "# Cart 🛒")
    assert top[:5] == ("Cart 🛒", "#cart-", NS, rng(first, 0, n + 4, 37), rng(first, 2, first, 9))
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
    model = line_of(root / "specs" / "users.spec.md", "## User model")
    found = await workspace_symbols(client, "usmod")
    assert [(s.name, s.kind, s.container_name) for s in found] == [
        ("User model", MOD, "specs/users.spec.md#user-model")
    ]
    assert found[0].location == types.Location(
        uri=uri(root / "specs" / "users.spec.md"), range=rng(model, 0, model, 27)
    )

    reqs = root / "specs" / "requirements.spec.md"
    fr3 = line_of(reqs, "**FR-003**")
    found = await workspace_symbols(client, "fr3")
    assert [(s.name, s.kind) for s in found] == [("FR-003", CONST)]
    assert found[0].location == types.Location(uri=uri(reqs), range=rng(fr3, 4, fr3, 10))

    # Best match first: the exact ID, then the heading that starts with the query.
    names = [s.name for s in await workspace_symbols(client, "cart")]
    assert names[:2] == ["Cart model", "Cart 🛒"]
    assert "Functional requirements" in names  # f-u-n-c-t-i-o-n-a-l r-e-q-u-i-r-e-m-e-n-t-s

    assert await workspace_symbols(client, "zzzz") == []
