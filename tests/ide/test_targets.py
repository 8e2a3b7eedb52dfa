"""ide.targets: what a position points at and where go to definition/implementation land."""

from __future__ import annotations

from specls.ide.targets import hit_at, implementation_targets, sources, targets_at
from specls.text import ZERO_RANGE, Range

from ide.memfs import at, world

SHOP = """
    //- specs/shop.spec.md
    # Shop 🛒 {#shop}

    ## Cart {#cart}
    [@generate](../src/cart.py#Ca$0rt) [@use](#rules) [@describe](../src/util.py)

    A cart is exact to the cent (covers: FR-001).

    ## Rules {#rules}

    Integers only.
    //- specs/reqs.spec.md
    # Reqs

    - **FR-001**: Carts MUST add up.
    //- specs/other/reqs.spec.md
    # Other

    - **FR-001**: Elsewhere.
    //- src/cart.py
    import math


    class Cart:
        def total(self) -> int:
            return 0
    //- src/util.py
    def helper() -> None: ...
"""


def test_a_directive_leads_to_its_symbol() -> None:
    w = world(SHOP)
    origin, [target] = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(3, 0, 3, 32)
    assert (target.rel, target.range, target.selection) == (
        "src/cart.py",
        Range.of(3, 0, 5, 16),
        Range.of(3, 6, 3, 10),
    )
    assert target.symbol is not None and target.symbol.name == "Cart"


def test_a_use_leads_to_the_section_and_a_heading_to_the_outputs() -> None:
    w = world(SHOP)
    text = w.text(w.path)
    origin, [target] = targets_at(w.snap, w.path, at(text, "#rules", 1))
    assert origin == Range.of(3, 33, 3, 47)
    assert target.rel == w.path and target.selection == Range.of(7, 0, 7, 17)
    origin, found = targets_at(w.snap, w.path, at(text, "Cart {#cart}"))
    assert origin == Range.of(2, 0, 2, 15)
    assert [(t.rel, t.selection) for t in found] == [
        ("src/cart.py", Range.of(3, 6, 3, 10)),
        ("src/util.py", ZERO_RANGE),
    ]
    assert implementation_targets(w.snap, w.path, at(text, "#rules", 1)) == (
        Range.of(3, 33, 3, 47),
        [],
    )
    origin, impl = implementation_targets(w.snap, w.path, at(text, "Cart {#cart}"))
    assert [t.rel for t in impl] == ["src/cart.py", "src/util.py"]


def test_a_requirement_reference_prefers_its_own_scope() -> None:
    w = world(SHOP)
    origin, found = targets_at(w.snap, w.path, at(w.text(w.path), "FR-001", 2))
    assert origin == Range.of(5, 37, 5, 43)
    assert [(t.rel, t.range) for t in found] == [("specs/reqs.spec.md", Range.of(2, 4, 2, 10))]


def test_code_leads_back_to_its_section_the_enclosing_symbol_first() -> None:
    w = world(SHOP)
    code = w.text("src/cart.py")
    inside = sources(w.snap, "src/cart.py", at(code, "total"))
    assert [(s.section.id, s.directive.fragment) for s in inside] == [("cart", "Cart")]
    # Outside the symbol (the import): the file's only source, as a fallback.
    outside = sources(w.snap, "src/cart.py", at(code, "import"))
    assert [s.section.id for s in outside] == ["cart"]
    origin, [target] = targets_at(w.snap, "src/util.py", at(w.text("src/util.py"), "helper"))
    assert origin is None and target.rel == w.path and target.selection == Range.of(2, 0, 2, 15)


def test_positions_after_emoji_and_cjk_are_utf16() -> None:
    w = world("""
        //- specs/a.spec.md
        # 見る 🛒
        - [ ] T001 漢字 🛒 in src/c$0art.py
        //- src/cart.py
        X = 1
    """)
    hit = hit_at(w.snap.workspace.docs[w.path], w.pos)
    assert hit.path_ref is not None and hit.path_ref.range == Range.of(1, 20, 1, 31)
    origin, [target] = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(1, 20, 1, 31) and target.rel == "src/cart.py"


def test_navigation_reads_only_what_it_needs() -> None:
    w = world(SHOP)
    before = dict(w.fs.reads)
    targets_at(w.snap, w.path, w.pos)
    targets_at(w.snap, w.path, w.pos)
    new = {rel: n - before.get(rel, 0) for rel, n in w.fs.reads.items() if n != before.get(rel, 0)}
    # The symbol's file at most once (cached by the reader), no spec re-read.
    assert set(new) <= {"src/cart.py"} and all(n <= 1 for n in new.values())
