"""ide.links: directive targets and task paths that exist; tooltips in plain text."""

from __future__ import annotations

from specls.ide.links import document_links
from specls.text import Range

from ide.memfs import world


def test_links_to_files_symbols_and_sections_after_emoji() -> None:
    w = world("""
        //- specs/a.spec.md
        # A 🛒
        見る [@generate](../src/cart.py#Cart) [@use](#rules) [@use](../src/gone.py)
        - [ ] T001 漢字 in src/cart.py
        ## Rules {#rules}
        //- src/cart.py
        import math


        class Cart: ...
    """)
    found = document_links(w.snap, "specs/a.spec.md")
    assert [(link.range, link.target.rel, link.line, link.tooltip) for link in found] == [
        (Range.of(1, 15, 1, 34), "src/cart.py", 4, "Open Cart in src/cart.py (line 4)"),
        (
            Range.of(1, 43, 1, 49),
            "specs/a.spec.md",
            4,
            "Go to section “Rules” (specs/a.spec.md#rules)",
        ),
        (Range.of(2, 17, 2, 28), "src/cart.py", None, "Open src/cart.py"),
    ]
