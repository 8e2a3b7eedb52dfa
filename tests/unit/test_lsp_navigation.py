"""The LSP translation of the navigation features, in process, per client capability set.

The `specls.ide` logic is tested in tests/ide; the end-to-end tests (tests/lsp)
run with VS Code's and Neovim's profiles, which both announce `linkSupport`,
Markdown hovers and snippets. Here each handler's `run(snapshot, params)` with
those profiles and with a bare client: plain `Location`s, plain-text hovers,
no snippets, no tooltips, the `changes` form of a workspace edit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture import fixture
from helpers import load, write_tree
from lsprotocol import types
from pytest_lsp import client_capabilities
from specls.lsp import completion, definition, hover, links, rename
from specls.lsp.convert import Json, converter
from specls.lsp.snapshot import Snapshot

SPEC = """\
# Shop 🛒 {#shop}

## Cart {#cart}
[@generate](../src/cart.py#Cart) [@use](#rules)

A cart is exact to the cent (covers: FR-001).

## Rules {#rules}

Integers only.
"""
CODE = """\
import math


class Cart:
    def total(self) -> int:
        return 0
"""
PROFILES = ["visual_studio_code", "neovim"]
BARE = types.ClientCapabilities()


def caps(name: str) -> types.ClientCapabilities:
    return client_capabilities(name)  # type: ignore[no-any-return]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path,
        {
            "specls.toml": 'include = ["specs/**/*.spec.md"]\n',
            "specs/shop.spec.md": SPEC,
            "src/cart.py": CODE,
        },
    )


def snapshot(root: Path, capabilities: types.ClientCapabilities, name: str = "") -> Snapshot:
    ws, reader, analysis = load(root)
    return Snapshot(ws, analysis, reader, capabilities=capabilities, client_name=name)


def doc(snap: Snapshot) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=snap.uri("specs/shop.spec.md"))


def pos(marked: str) -> types.Position:
    return fixture(marked).cursor


@pytest.mark.parametrize("name", PROFILES)
def test_profiles_get_links_markdown_and_snippets(root: Path, name: str) -> None:
    snap = snapshot(root, caps(name), name)
    found = definition.run(
        snap, types.DefinitionParams(doc(snap), pos(SPEC.replace("#Cart)", "#Ca$0rt)")))
    )
    assert isinstance(found, list) and isinstance(found[0], types.LocationLink)
    assert found[0].target_selection_range == types.Range(
        start=types.Position(line=3, character=6), end=types.Position(line=3, character=10)
    )
    shown = hover.run(snap, types.HoverParams(doc(snap), pos(SPEC.replace("## Cart", "## Ca$0rt"))))
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert shown.contents.kind == types.MarkupKind.Markdown
    c = caps(name)
    assert completion.options(c, name).snippets
    assert completion.options(c, name).retrigger == (name == "visual_studio_code")
    assert links.tooltip_support(c) == (name == "visual_studio_code")


def test_bare_client_gets_locations_plain_text_and_no_snippets(root: Path) -> None:
    snap = snapshot(root, BARE)
    found = definition.run(
        snap, types.DefinitionParams(doc(snap), pos(SPEC.replace("#Cart)", "#Ca$0rt)")))
    )
    # Without linkSupport: a Location on the name, where the cursor should land.
    assert found == [
        types.Location(
            uri=snap.uri("src/cart.py"),
            range=types.Range(
                start=types.Position(line=3, character=6), end=types.Position(line=3, character=10)
            ),
        )
    ]
    shown = hover.run(snap, types.HoverParams(doc(snap), pos(SPEC.replace("## Cart", "## Ca$0rt"))))
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert shown.contents.kind == types.MarkupKind.PlainText
    assert shown.range == types.Range(
        start=types.Position(line=2, character=0), end=types.Position(line=2, character=15)
    )
    assert completion.options(BARE, "") == completion.Options(snippets=False, retrigger=False)
    found_links = links.run(snap, types.DocumentLinkParams(doc(snap)))
    assert found_links and all(link.tooltip is None for link in found_links)
    assert found_links[0].target == snap.uri("src/cart.py") + "#L4"


def test_completion_without_snippets_uses_the_open_buffer(root: Path) -> None:
    f = fixture(SPEC + "漢字 [@$0]\n")
    base = snapshot(root, BARE)
    rel = "specs/shop.spec.md"
    live = Snapshot(
        base.workspace.with_text(rel, f.text), base.analysis, base.reader, texts={rel: f.text}
    )
    found = completion.run(live, types.CompletionParams(doc(live), f.cursor))
    assert isinstance(found, Json)  # built in its JSON form: read back as the client would
    result = converter().structure(found.value, types.CompletionList)
    item = next(i for i in result.items if i.label == "@use")
    assert item.text_edit == types.TextEdit(
        range=types.Range(
            start=types.Position(line=10, character=4), end=types.Position(line=10, character=6)
        ),
        new_text="@use](",
    )
    assert item.insert_text_format is None and item.command is None
    assert item.kind == types.CompletionItemKind.Keyword


@pytest.mark.parametrize("name", [*PROFILES, "bare"])
def test_rename_refusal_is_an_error_with_the_message(root: Path, name: str) -> None:
    snap = snapshot(root, BARE if name == "bare" else caps(name), name)
    params = types.RenameParams(doc(snap), pos(SPEC.replace("{#rules}", "{#ru$0les}")), "a b")
    with pytest.raises(Exception, match="not a valid section ID") as refused:
        rename.run(snap, params)
    assert type(refused.value).__name__ == "JsonRpcInvalidParams"
    edit = rename.run(snap, types.RenameParams(doc(snap), params.position, "policy"))
    assert isinstance(edit, types.WorkspaceEdit)
    if name == "visual_studio_code":
        assert edit.document_changes is not None and edit.changes is None
    else:  # Neovim 0.11 and a bare client do not declare `documentChanges`
        assert edit.changes is not None and edit.document_changes is None
        assert sorted(
            (e.range.start.line, e.range.start.character, e.new_text)
            for e in edit.changes[snap.uri("specs/shop.spec.md")]
        ) == [(3, 41, "policy"), (7, 11, "policy")]
