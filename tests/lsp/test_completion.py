"""Completion through the protocol: labels, paths, symbols, section and requirement IDs.

Each test appends a line to a spec in an unsaved edit (the cursor is `$0`)
with emoji and CJK before it, so the `textEdit` ranges are checked in UTF-16
code units; the edit is never analysed before the request (live line text).
The other cases (paths and sections of a `@use`, Kiro criteria, plain prose)
are in tests/ide/test_completion.py.
"""

from __future__ import annotations

from pathlib import Path

from fixture import fixture
from lsp_helpers import change_doc, open_doc
from lsprotocol import types
from pytest_lsp import LanguageClient

PREFIX = "🛒 カート "  # 2 + 1 + 3 + 1 UTF-16 units before the typed text


def at(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


async def complete(
    client: LanguageClient, spec: str, typed: str
) -> tuple[list[types.CompletionItem], int]:
    """Append `typed` (with a `$0` cursor) to `specs/<spec>` and complete there."""
    root: Path = client.root  # type: ignore[attr-defined]
    path = root / "specs" / spec
    original = path.read_text(encoding="utf-8")
    f = fixture(original + typed + "\n", path=f"specs/{spec}")
    doc_uri = open_doc(client, path, original)
    change_doc(client, doc_uri, f.text, 2)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=f.cursor,
        )
    )
    if result is None:
        return [], f.cursor.line
    items = result.items if isinstance(result, types.CompletionList) else result
    return list(items), f.cursor.line


def edits(items: list[types.CompletionItem]) -> dict[str, tuple[str, types.Range]]:
    out: dict[str, tuple[str, types.Range]] = {}
    for item in items:
        edit = item.text_edit
        assert isinstance(edit, types.TextEdit), item
        out[item.label] = (edit.new_text, edit.range)
    return out


async def test_directive_labels_after_bracket_at(client: LanguageClient) -> None:
    items, line = await complete(client, "cart.spec.md", PREFIX + "[@$0")
    got = edits(items)
    assert sorted(got) == ["@describe", "@generate", "@test", "@use"]
    # "🛒 カート [" is 8 UTF-16 units: the edit replaces the "@" at 8.
    text, rng = got["@generate"]
    assert rng == at(line, 8, 9)
    assert text == "@generate]($1)$0"  # both profiles support snippets
    item = next(i for i in items if i.label == "@use")
    assert item.kind == types.CompletionItemKind.Keyword
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert isinstance(item.documentation, types.MarkupContent)
    assert "dependency" in item.documentation.value


async def test_directive_label_inside_an_existing_link(client: LanguageClient) -> None:
    items, line = await complete(client, "cart.spec.md", PREFIX + "[@ge$0n](../src/shop/cart.py)")
    text, rng = edits(items)["@generate"]
    assert text == "@generate"  # the link is already there: only the label changes
    assert rng == at(line, 8, 12)


async def test_paths_relative_to_the_spec(client: LanguageClient) -> None:
    items, line = await complete(client, "cart.spec.md", PREFIX + "[@generate](../src/$0")
    got = edits(items)
    assert got == {"shop/": ("shop/", at(line, 26, 26))}
    folder = items[0]
    assert folder.kind == types.CompletionItemKind.Folder
    if client.client_name == "visual_studio_code":  # type: ignore[attr-defined]
        assert folder.command is not None
        assert folder.command.command == "editor.action.triggerSuggest"
    else:
        assert folder.command is None

    items, line = await complete(client, "cart.spec.md", PREFIX + "[@test](../src/shop/ca$0")
    got = edits(items)
    assert "cart.py" in got and "catalog.py" in got and "__pycache__/" not in got
    assert got["cart.py"] == ("cart.py", at(line, 27, 29))
    cart = next(i for i in items if i.label == "cart.py")
    assert cart.kind == types.CompletionItemKind.File
    assert cart.detail == "src/shop/cart.py"


async def test_symbols_after_hash_of_a_source_path(client: LanguageClient) -> None:
    items, line = await complete(
        client, "auth.spec.md", PREFIX + "[@generate](../src/shop/app.py#$0)"
    )
    got = edits(items)
    assert sorted(got) == ["create_session", "main"]
    assert got["create_session"] == ("create_session", at(line, 38, 38))
    item = next(i for i in items if i.label == "create_session")
    assert item.kind == types.CompletionItemKind.Function
    assert item.detail == "function · src/shop/app.py:11"

    items, line = await complete(
        client, "auth.spec.md", PREFIX + "[@describe](../src/shop/cart.py#Cart.t$0)"
    )
    got = edits(items)
    assert "Cart.total_cents" in got
    assert got["Cart.total_cents"][1] == at(line, 39, 45)
    assert next(i for i in items if i.label == "Cart").kind == types.CompletionItemKind.Class


async def test_section_ids_in_another_document(client: LanguageClient) -> None:
    items, line = await complete(client, "auth.spec.md", PREFIX + "[@use](users.spec.md#us$0)")
    got = edits(items)
    assert sorted(got) == ["user-model", "users"]
    assert got["user-model"] == ("user-model", at(line, 28, 30))
    assert {i.label: i.detail for i in items}["user-model"] == "User model"


async def test_requirement_ids_after_covers(client: LanguageClient) -> None:
    items, line = await complete(client, "cart.spec.md", PREFIX + "(covers: FR-00$0")
    got = edits(items)
    assert {"FR-001", "FR-002", "FR-003", "FR-004", "SC-001"} <= set(got)
    assert got["FR-003"] == ("FR-003", at(line, 16, 21))
    item = next(i for i in items if i.label == "FR-003")
    assert item.detail == "The system MUST keep a cart per user and compute its total."
    assert item.kind == types.CompletionItemKind.Constant

    items, line = await complete(client, "cart.spec.md", PREFIX + "(covers: FR-001, SC$0)")
    assert edits(items)["SC-001"] == ("SC-001", at(line, 24, 26))
