"""Hover through the protocol: unit status tables, previews, references, generated code."""

from __future__ import annotations

import asyncio

from fixture import fixture
from lsp_helpers import change_doc, line_of, open_doc, root_of
from lsprotocol import types
from pytest_lsp import LanguageClient


async def hover(
    client: LanguageClient, doc_uri: str, line: int, character: int
) -> types.Hover | None:
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
        )
    )


def markdown(result: types.Hover | None) -> str:
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


def at(line: int, start: int, end_line: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=end_line, character=end),
    )


async def test_symbol_directive_shows_the_unit_and_the_symbol_code(
    client: LanguageClient,
) -> None:
    root = root_of(client)
    auth = root / "specs" / "auth.spec.md"
    doc_uri = open_doc(client, auth)
    line = line_of(auth, "app.py#create_session")
    result = await hover(client, doc_uri, line, 60)
    assert result is not None and result.range == at(line, 33, line, 79)
    assert markdown(result) == "\n\n".join(
        [
            "**Login** · `specs/auth.spec.md#login` — fresh",
            "| output | status |\n|---|---|\n"
            "| `src/shop/auth.py` | fresh |\n| `src/shop/app.py#create_session` | fresh |",
            "Generated 2026-11-25T21:11:55Z by `tangle`.",
            "```python\n"
            "def create_session(login: str) -> str:\n"
            "    token = secrets.token_hex(16)\n"
            "    SESSIONS[token] = login\n"
            "    return token\n"
            "```",
        ]
    )


async def test_heading_shows_status_after_an_edit(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    original = cart.read_text("utf-8")
    doc_uri = open_doc(client, cart)
    line = line_of(cart, "## Cart model")
    value = markdown(await hover(client, doc_uri, line, 4))
    assert "| `src/shop/cart.py` | fresh |" in value
    assert "by `tangle`" in value
    assert '```python\n"""Carts. Generated from specs/cart.spec.md#cart."""' in value

    # An unsaved edit to the section: the next hover reports it stale.
    edited = original.replace("the cent (covers", "the cent, toujours 🛒 (covers")
    change_doc(client, doc_uri, edited, 2)

    async def stale() -> bool:
        return "| `src/shop/cart.py` | stale |" in markdown(await hover(client, doc_uri, line, 4))

    for _ in range(200):
        if await stale():
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("hover never showed the output as stale")


async def test_use_shows_the_target_section(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    f = fixture(
        cart.read_text("utf-8").replace("[@use](#pricing)", "😀 [@use](#pr$0icing)"),
        "specs/cart.spec.md",
    )
    doc_uri = open_doc(client, cart, f.text)
    result = await hover(client, doc_uri, f.cursor.line, f.cursor.character)
    assert result is not None and result.range == at(f.cursor.line, 3, f.cursor.line, 19)
    assert markdown(result) == (
        "**Pricing rules** · `specs/cart.spec.md#pricing`\n\n"
        "Prices are integers in cents; no floating point anywhere. Rounding never\n"
        "happens because nothing is divided."
    )


async def test_requirement_shows_its_text_and_traces(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    doc_uri = open_doc(client, cart)
    line = line_of(cart, "(covers: FR-003")
    col = cart.read_text("utf-8").splitlines()[line].index("FR-003")
    result = await hover(client, doc_uri, line, col + 1)
    assert result is not None and result.range == at(line, col, line, col + 6)
    assert markdown(result) == (
        "**FR-003** — The system MUST keep a cart per user and compute its total.\n\n"
        "Defined in `specs/requirements.spec.md` line 13\n\n"
        "Traced by:\n\n"
        "- `specs/cart.spec.md#cart` line 10\n"
        "- `specs/requirements.spec.md#success` line 18"
    )


async def test_generated_file_shows_its_section(client: LanguageClient) -> None:
    root = root_of(client)
    out = root / "src" / "shop" / "cart.py"
    out_uri = open_doc(client, out)
    line = line_of(out, "class Cart:")
    result = await hover(client, out_uri, line, 7)
    assert result is not None and result.range == at(line, 6, line, 10)
    assert markdown(result) == "\n\n".join(
        [
            "**Generated from** `specs/cart.spec.md#cart` (`src/shop/cart.py`: fresh)",
            "Generated 2026-11-25T21:11:55Z by `tangle`.",
            "**Cart model** · `specs/cart.spec.md#cart`",
            "[@generate](../src/shop/cart.py)\n"
            "[@use](#pricing) [@use](../docs/pricing-policy.md)\n\n"
            "A cart belongs to one user and holds quantities per SKU; its total is exact to\n"
            "the cent (covers: FR-003, SC-001).\n\n"
            "*(code block: python file=../src/shop/cart.py)*",
        ]
    )
    # ordinary code (not a definition's name) is left to the language server
    assert await hover(client, out_uri, line_of(out, "raise KeyError"), 16) is None


async def test_generated_symbol_in_a_hand_written_file(client: LanguageClient) -> None:
    root = root_of(client)
    app = root / "src" / "shop" / "app.py"
    app_uri = open_doc(client, app)
    value = markdown(await hover(client, app_uri, line_of(app, "def create_session"), 6))
    assert value.startswith("**Generated from** `specs/auth.spec.md#login`")
    assert "WHEN a user submits a valid password THE SYSTEM SHALL issue a session token" in value
    value = markdown(await hover(client, app_uri, line_of(app, "def main"), 5))
    assert value.startswith("**Described by** `specs/auth.spec.md#app`")


async def test_a_bad_position_does_not_break_the_server(client: LanguageClient) -> None:
    root = root_of(client)
    cart = root / "specs" / "cart.spec.md"
    doc_uri = open_doc(client, cart)
    out_uri = open_doc(client, root / "src" / "shop" / "cart.py")
    for target in (doc_uri, out_uri):
        try:
            result = await hover(client, target, 100_000, 100_000)
        except Exception as exc:  # an LSP error is acceptable, a dead server is not
            assert "hover" in str(exc)
        else:
            assert result is None
    # the server still answers
    assert "fresh" in markdown(await hover(client, doc_uri, line_of(cart, "## Cart model"), 4))


async def test_hover_on_a_subsection_shows_its_unit(client: LanguageClient) -> None:
    root = root_of(client)
    spec = root / "specs" / "cart.spec.md"
    text = spec.read_text("utf-8").replace(
        "```python file=../src/shop/cart.py", "### Détails 🛒\n\n```python file=../src/shop/cart.py"
    )
    doc_uri = open_doc(client, spec, text)
    line = text.splitlines().index("### Détails 🛒")
    result = await hover(client, doc_uri, line, 6)
    value = markdown(result) if client.client_name == "visual_studio_code" else str(result)  # type: ignore[attr-defined]
    assert "specs/cart.spec.md#cart" in value
    assert "src/shop/cart.py" in value
    assert result is not None and result.range is not None
    assert result.range.start == types.Position(line=line, character=0)
    # The top-level heading above the units belongs to no unit: no hover.
    assert await hover(client, doc_uri, 0, 3) is None
