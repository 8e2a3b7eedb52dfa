"""Code lens through the protocol: unit status on spec headings, provenance on outputs."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import change_doc, codes, line_of, open_doc, uri, wait_diagnostics, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient


def _lenses(lenses: list[types.CodeLens] | None) -> list[tuple[int, int, int, str, str, list]]:
    out = []
    for lens in lenses or []:
        assert lens.command is not None
        r = lens.range
        assert (r.start.line, r.start.character) == (r.end.line, r.end.character)
        out.append(
            (
                r.start.line,
                r.start.character,
                r.end.line,
                lens.command.title,
                lens.command.command,
                list(lens.command.arguments or []),
            )
        )
    return out


async def code_lens(client: LanguageClient, doc_uri: str) -> list[tuple]:
    result = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=doc_uri))
    )
    return _lenses(result)


async def test_fresh_then_stale_and_ungenerated(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "auth.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    login = text.splitlines().index("## Login {#login}")
    assert await code_lens(client, doc_uri) == [
        (
            login,
            0,
            login,
            "✓ fresh · 2 outputs",
            "specls.showOutputs",
            [{"unit": "specs/auth.spec.md#login", "reveal": True}],
        )
    ]

    # A new unit with non-ASCII before it, and an edit that makes #login stale.
    edited = text.replace(
        "## Login {#login}",
        "## Panier 🛒 購物 {#basket}\n[@generate](../src/shop/basket.py)\n\n## Login {#login}",
    ).replace("issue a session token", "issue a session token 🔑")
    change_doc(client, doc_uri, edited, 2)
    await wait_diagnostics(
        client, doc_uri, lambda ds: "SPEC201" in codes(ds) and "SPEC204" in codes(ds)
    )
    assert await code_lens(client, doc_uri) == [
        (
            login,
            0,
            login,
            "○ ungenerated · Generate",
            "specls.regenerate",
            [{"unit": "specs/auth.spec.md#basket"}],
        ),
        (
            login + 3,
            0,
            login + 3,
            "⚠ stale · Regenerate",
            "specls.regenerate",
            [{"unit": "specs/auth.spec.md#login"}],
        ),
    ]


async def test_generated_file_points_back_to_its_section(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    app = root / "src" / "shop" / "app.py"
    app_uri = open_doc(client, app)
    line = (
        app.read_text(encoding="utf-8").splitlines().index("def create_session(login: str) -> str:")
    )
    lenses = await code_lens(client, app_uri)
    assert lenses == [
        (
            line,
            0,
            line,
            "generated from specs/auth.spec.md#login — edit the spec",
            "specls.openSection",
            [{"section": "specs/auth.spec.md#login"}],
        )
    ]
    cart_uri = open_doc(client, root / "src" / "shop" / "cart.py")
    assert await code_lens(client, cart_uri) == [
        (
            0,
            0,
            0,
            "generated from specs/cart.spec.md#cart — edit the spec",
            "specls.openSection",
            [{"section": "specs/cart.spec.md#cart"}],
        )
    ]

    # The lens command opens the section through window/showDocument.
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=lenses[0][4], arguments=lenses[0][5])
    )
    spec_uri = uri(root / "specs" / "auth.spec.md")
    login = line_of(root / "specs" / "auth.spec.md", "## Login {#login}")
    heading = types.Range(
        start=types.Position(line=login, character=0), end=types.Position(line=login, character=17)
    )
    assert result["uri"] == spec_uri
    await wait_for(lambda: bool(client.shown_documents), message="window/showDocument")
    shown = client.shown_documents[-1]
    assert shown.uri == spec_uri
    assert shown.selection == heading
    assert shown.take_focus is True


async def test_reveal_shows_the_first_output(client: LanguageClient) -> None:
    """The fresh lens runs showOutputs with reveal: the client is asked to show the file."""
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="specls.showOutputs",
            arguments=[{"unit": "specs/auth.spec.md#login", "reveal": True}],
        )
    )
    assert [loc["uri"].rsplit("/", 2)[-1] for loc in result] == ["auth.py", "app.py"]
    if client.client_name == "visual_studio_code":  # type: ignore[attr-defined]
        (shown,) = client.shown_documents
        assert shown.uri.endswith("/src/shop/auth.py")
        assert shown.take_focus is True
