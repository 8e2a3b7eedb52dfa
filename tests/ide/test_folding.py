"""ide.folding: sections, fenced code and the front matter, as whole lines."""

from __future__ import annotations

from specls.ide.folding import folding_ranges

from ide.memfs import world


def test_sections_fences_and_front_matter() -> None:
    w = world("""
        //- specs/a.spec.md
        ---
        generator: tangle
        ---
        # A 🛒
        text

        ## B
        ```python
        x = 1
        ```

        ## C
    """)
    assert folding_ranges(w.snap.workspace.docs["specs/a.spec.md"]) == [
        (0, 2),
        (3, 11),
        (6, 9),
        (7, 9),
    ]
