"""ide.hover: Markdown or plain text, and the exact range it is about."""

from __future__ import annotations

from specls.ide.hover import Writer, hover
from specls.text import Range

from ide.memfs import at, world

SHOP = """
    //- specs/shop.spec.md
    # Shop 🛒 {#shop}

    ## Cart$0 {#cart}
    [@generate](../src/cart.py#Cart) [@use](#rules)

    A cart is exact to the cent (covers: FR-001).

    ## Rules {#rules}

    Integers only.
    //- specs/reqs.spec.md
    # Reqs

    - **FR-001**: Carts MUST add up.
    //- src/cart.py
    import math


    class Cart:
        def total(self) -> int:
            return 0
"""


def test_a_unit_heading_in_plain_text() -> None:
    w = world(SHOP)
    found = hover(w.snap, w.path, w.pos, markdown=False)
    assert found is not None and not found.markdown
    assert found.text == (
        "Cart · specs/shop.spec.md#cart — ungenerated\n\n"
        "output            status\n"
        "src/cart.py#Cart  ungenerated\n\n"
        "Never generated; generator: tangle.\n\n"
        "class Cart:\n"
        "    def total(self) -> int:\n"
        "        return 0"
    )
    assert found.range == Range.of(2, 0, 2, 15)


def test_a_unit_heading_in_markdown() -> None:
    w = world(SHOP)
    found = hover(w.snap, w.path, w.pos, markdown=True)
    assert found is not None and found.markdown
    assert found.text.startswith(
        "**Cart** · `specs/shop.spec.md#cart` — ungenerated\n\n"
        "| output | status |\n|---|---|\n| `src/cart.py#Cart` | ungenerated |"
    )
    assert found.text.endswith(
        "```python\nclass Cart:\n    def total(self) -> int:\n        return 0\n```"
    )


def test_a_use_shows_the_section_after_emoji() -> None:
    w = world("""
        //- specs/a.spec.md
        # A
        🛒 見る [@use](#ru$0les)
        ## Rules {#rules}
        Integers only.
    """)
    found = hover(w.snap, w.path, w.pos, markdown=True)
    assert found is not None
    assert found.text == "**Rules** · `specs/a.spec.md#rules`\n\nIntegers only."
    assert found.range == Range.of(1, 6, 1, 20)


def test_a_requirement_reference() -> None:
    w = world(SHOP)
    found = hover(w.snap, w.path, at(w.text(w.path), "FR-001"), markdown=True)
    assert found is not None and found.range == Range.of(5, 37, 5, 43)
    assert found.text == (
        "**FR-001** — Carts MUST add up.\n\n"
        "Defined in `specs/reqs.spec.md` line 3\n\n"
        "Traced by:\n\n- `specs/shop.spec.md#cart` line 6"
    )


def test_on_generated_code_the_section_behind_the_symbol() -> None:
    w = world(SHOP)
    code = w.text("src/cart.py")
    found = hover(w.snap, "src/cart.py", at(code, "Cart"), markdown=True)
    assert found is not None and found.range == Range.of(3, 6, 3, 10)
    assert found.text.startswith(
        "**Generated from** `specs/shop.spec.md#cart` (`src/cart.py#Cart`: ungenerated)"
    )
    # Ordinary code is left to the language's own server.
    assert hover(w.snap, "src/cart.py", at(code, "return"), markdown=True) is None


def test_prose_has_no_hover() -> None:
    w = world(SHOP)
    assert hover(w.snap, w.path, at(w.text(w.path), "Integers"), markdown=True) is None


def test_markdown_fence_outgrows_backticks_in_the_code() -> None:
    w = Writer(markdown=True)
    w.code("markdown", "```python\nx = 1\n```")
    assert w.blocks == ["````markdown\n```python\nx = 1\n```\n````"]
