"""The navigation features as pure functions over a snapshot, per client capability set.

The end-to-end tests (tests/lsp) run with VS Code's and Neovim's profiles,
which both announce `linkSupport`, Markdown hovers and snippets; here the
other branches: plain `Location`s, plain-text hovers, no snippets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture import fixture
from helpers import load, write_tree
from lsprotocol import types
from pytest_lsp import client_capabilities
from specls.lsp import completion, definition, hover, links
from specls.lsp.snapshot import Snapshot
from specls.query import requirement_uses, sources_at
from specls.text import Position, Range

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


@pytest.fixture
def snap(tmp_path: Path) -> Snapshot:
    write_tree(
        tmp_path,
        {
            "specls.toml": 'include = ["specs/**/*.spec.md"]\n',
            "specs/shop.spec.md": SPEC,
            "specs/reqs.spec.md": "# Reqs\n\n- **FR-001**: Carts MUST add up.\n",
            "specs/other/reqs.spec.md": "# Other\n\n- **FR-001**: Elsewhere.\n",
            "src/cart.py": CODE,
        },
    )
    ws, reader, analysis = load(tmp_path)
    return Snapshot(ws, analysis, reader)


def caps(name: str) -> types.ClientCapabilities:
    return client_capabilities(name)  # type: ignore[no-any-return]


BARE = types.ClientCapabilities()


@pytest.mark.parametrize("name", ["visual_studio_code", "neovim"])
def test_profiles_get_links_markdown_and_snippets(name: str) -> None:
    c = caps(name)
    assert definition.link_support(c, types.TEXT_DOCUMENT_DEFINITION)
    assert definition.link_support(c, types.TEXT_DOCUMENT_IMPLEMENTATION)
    assert hover.wants_markdown(c)
    assert completion.options(c, name).snippets
    assert completion.options(c, name).retrigger == (name == "visual_studio_code")
    assert links.tooltip_support(c) == (name == "visual_studio_code")


def test_bare_client_gets_locations_plain_text_and_no_snippets() -> None:
    assert not definition.link_support(BARE, types.TEXT_DOCUMENT_DEFINITION)
    assert not hover.wants_markdown(BARE)
    assert completion.options(BARE, "") == completion.Options(snippets=False, retrigger=False)
    assert not links.tooltip_support(BARE)


def test_definition_links_and_locations(snap: Snapshot) -> None:
    spec = snap.uri("specs/shop.spec.md")
    f = fixture(SPEC.replace("#Cart)", "#Ca$0rt)"))
    as_links = definition.definitions(snap, spec, f.pos, links=True)
    assert as_links == [
        types.LocationLink(
            target_uri=snap.uri("src/cart.py"),
            target_range=types.Range(
                start=types.Position(line=3, character=0), end=types.Position(line=5, character=16)
            ),
            target_selection_range=types.Range(
                start=types.Position(line=3, character=6), end=types.Position(line=3, character=10)
            ),
            origin_selection_range=types.Range(
                start=types.Position(line=3, character=0), end=types.Position(line=3, character=32)
            ),
        )
    ]
    # Without linkSupport: a Location on the name, where the cursor should land.
    as_locations = definition.definitions(snap, spec, f.pos, links=False)
    assert as_locations == [
        types.Location(
            uri=snap.uri("src/cart.py"),
            range=types.Range(
                start=types.Position(line=3, character=6), end=types.Position(line=3, character=10)
            ),
        )
    ]


def test_requirement_scope_prefers_the_same_directory(snap: Snapshot) -> None:
    spec = snap.uri("specs/shop.spec.md")
    found = definition.definitions(snap, spec, Position(5, 40), links=False)
    assert isinstance(found, list)
    assert [loc.uri for loc in found] == [snap.uri("specs/reqs.spec.md")]  # type: ignore[union-attr]
    uses = requirement_uses(snap.workspace, "FR-001", "specs/reqs.spec.md")
    assert [(p.doc.path, str(p.range)) for p in uses] == [("specs/shop.spec.md", "5:37-5:43")]
    assert requirement_uses(snap.workspace, "FR-001", "specs/other/reqs.spec.md") == []


def test_sources_at_puts_the_enclosing_symbol_first(snap: Snapshot) -> None:
    def locate(symbol: str) -> Range | None:
        return None

    inside = sources_at(snap.workspace, snap.analysis, "src/cart.py", Position(4, 8), locate)
    assert [(s.section.id, s.directive.fragment) for s in inside] == [("cart", "Cart")]
    # outside the symbol (the import): the file's only source, as a fallback
    outside = sources_at(snap.workspace, snap.analysis, "src/cart.py", Position(0, 0), locate)
    assert [s.section.id for s in outside] == ["cart"]


def test_plain_text_hover(snap: Snapshot) -> None:
    spec = snap.uri("specs/shop.spec.md")
    result = hover.hover(snap, spec, Position(2, 3), markdown=False)
    assert result is not None
    assert result.contents == types.MarkupContent(
        kind=types.MarkupKind.PlainText,
        value="Cart · specs/shop.spec.md#cart — ungenerated\n\n"
        "output            status\n"
        "src/cart.py#Cart  ungenerated\n\n"
        "Never generated; generator: tangle.\n\n"
        "class Cart:\n"
        "    def total(self) -> int:\n"
        "        return 0",
    )
    assert result.range == types.Range(
        start=types.Position(line=2, character=0), end=types.Position(line=2, character=15)
    )


def test_markdown_fence_outgrows_backticks_in_the_code() -> None:
    w = hover.Writer(markdown=True)
    w.code("markdown", "```python\nx = 1\n```")
    assert w.blocks == ["````markdown\n```python\nx = 1\n```\n````"]


def test_completion_without_snippets(snap: Snapshot) -> None:
    f = fixture(SPEC + "漢字 [@$0]\n")
    rel = "specs/shop.spec.md"
    live = Snapshot(snap.workspace, snap.analysis, snap.reader, texts={rel: f.text})
    items = completion.completions(live, snap.uri(rel), f.pos, completion.Options())
    item = next(i for i in items if i.label == "@use")
    assert item.text_edit == types.TextEdit(
        range=types.Range(
            start=types.Position(line=10, character=4), end=types.Position(line=10, character=6)
        ),
        new_text="@use](",
    )
    assert item.insert_text_format is None and item.command is None
