"""ide.links: directive targets and task paths that exist; tooltips in plain text."""

from __future__ import annotations

from specls.ide.links import document_links
from specls.ide.targets import targets_at
from specls.text import ZERO_RANGE, Range

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


def test_plain_markdown_links_between_a_feature_s_files() -> None:
    w = world("""
        //- specs/001-albums/plan.md
        # Plan 🛒
        See 漢字 [spec.md]($0./spec.md), [the tasks](<tasks.md>) and [gone](./gone.md).
        [site](https://example.com/x.md) `[code](./spec.md)` [data](./data-model.md#entities)
        //- specs/001-albums/spec.md
        # Spec
        //- specs/001-albums/tasks.md
        # Tasks
    """)
    found = document_links(w.snap, w.path)
    assert [(link.range, link.target.rel, link.tooltip) for link in found] == [
        (Range.of(1, 17, 1, 26), "specs/001-albums/spec.md", "Open specs/001-albums/spec.md"),
        (Range.of(1, 42, 1, 50), "specs/001-albums/tasks.md", "Open specs/001-albums/tasks.md"),
    ]
    origin, [target] = targets_at(w.snap, w.path, w.pos)
    assert (origin, target.rel, target.range) == (
        Range.of(1, 17, 1, 26),
        "specs/001-albums/spec.md",
        ZERO_RANGE,
    )
