"""ide.symbols: the section tree per document and fuzzy workspace symbols."""

from __future__ import annotations

from specls.ide.symbols import (
    DocumentSymbol,
    SymbolKind,
    document_symbols,
    fuzzy_score,
    rank,
    workspace_symbols,
)
from specls.text import Range

from ide.memfs import world

SPEC = """
    //- specs/shop.spec.md
    # Shop 🛒
    ## 見る Cart {#cart}
    [@generate](../src/cart.py)
    - **FR-001**: The cart MUST add up.
    ### Rules
    //- src/cart.py
    X = 1
"""


def test_document_symbols_nest_sections_and_requirements() -> None:
    w = world(SPEC)
    doc = w.snap.workspace.docs["specs/shop.spec.md"]
    fr = DocumentSymbol(
        "FR-001",
        "The cart MUST add up.",
        SymbolKind.CONSTANT,
        Range.of(3, 4, 3, 10),
        Range.of(3, 4, 3, 10),
    )
    rules = DocumentSymbol(
        "Rules", "#rules", SymbolKind.NAMESPACE, Range.of(4, 0, 4, 9), Range.of(4, 4, 4, 9)
    )
    cart = DocumentSymbol(
        "見る Cart",
        "#cart",
        SymbolKind.MODULE,
        Range.of(1, 0, 4, 9),
        Range.of(1, 3, 1, 10),
        (fr, rules),
    )
    shop = DocumentSymbol(
        "Shop 🛒",
        "#shop-",
        SymbolKind.NAMESPACE,
        Range.of(0, 0, 4, 9),
        Range.of(0, 2, 0, 9),
        (cart,),
    )
    assert document_symbols(doc, w.text("specs/shop.spec.md")) == [shop]


def test_workspace_symbols_match_fuzzily_best_first() -> None:
    w = world(SPEC)
    found = sorted(workspace_symbols(w.snap.workspace, "crt"), key=rank)
    assert [(s.name, s.kind, s.container, s.range) for s in found] == [
        ("見る Cart", SymbolKind.MODULE, "specs/shop.spec.md#cart", Range.of(1, 0, 1, 18)),
    ]
    assert [s.name for s in sorted(workspace_symbols(w.snap.workspace, "fr1"), key=rank)] == [
        "FR-001"
    ]


def test_fuzzy_score_prefers_word_starts_and_exact_matches() -> None:
    assert fuzzy_score("xyz", "cart") is None
    exact, prefix, inner = (fuzzy_score("cart", c) for c in ("cart", "cart-model", "my-cart"))
    assert exact is not None and prefix is not None and inner is not None
    assert exact > prefix > inner
