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


def test_kiro_tasks_are_task_symbols_sub_tasks_nested() -> None:
    w = world("""
        //- .kiro/specs/auth/tasks.md
        # Plan ✅
        - [x] 1. Set up 🛒 auth
          - _Requirements: 1.1_
        - [ ]* 1.1 Property test
        - [ ] 2. Sessions
    """)
    doc = w.snap.workspace.docs[".kiro/specs/auth/tasks.md"]
    [plan] = document_symbols(doc, w.text(".kiro/specs/auth/tasks.md"))
    sub = DocumentSymbol(
        "1.1", "Property test", SymbolKind.KEY, Range.of(3, 7, 3, 10), Range.of(3, 7, 3, 10)
    )
    assert plan.children == (
        DocumentSymbol(
            "1",
            "Set up 🛒 auth",
            SymbolKind.KEY,
            Range.of(1, 6, 1, 7),
            Range.of(1, 6, 1, 7),
            (sub,),
        ),
        DocumentSymbol("2", "Sessions", SymbolKind.KEY, Range.of(4, 6, 4, 7), Range.of(4, 6, 4, 7)),
    )


def test_a_user_story_heading_is_a_story_symbol() -> None:
    w = world("""
        //- specs/001-albums/spec.md
        ### User Story 1 - Browse 🖼 albums (Priority: P1)
        - **FR-001**: Users MUST see albums.
    """)
    doc = w.snap.workspace.docs["specs/001-albums/spec.md"]
    [story] = document_symbols(doc, w.text("specs/001-albums/spec.md"))
    assert (story.name, story.kind, story.selection_range) == (
        "User Story 1 - Browse 🖼 albums (Priority: P1)",
        SymbolKind.STORY,
        Range.of(0, 4, 0, 50),
    )
    assert story.detail.startswith("US1 · #")
    assert [(c.name, c.kind) for c in story.children] == [("FR-001", SymbolKind.CONSTANT)]
