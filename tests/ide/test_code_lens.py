"""ide.code_lens: a unit's status on its heading; the section on its outputs."""

from __future__ import annotations

from specls.ide.code_lens import Lens, LensAction, code_lenses
from specls.text import Range

from ide.memfs import world

FILES = """
    //- specs/a.spec.md
    # A 🛒
    ## Cart {#cart}
    [@generate](../src/cart.py) [@generate](../src/util.py#helper)
    ## Notes
    //- src/cart.py
    X = 1
    //- src/util.py
    import os


    def helper() -> None: ...
"""


def test_a_lens_per_unit_and_per_output() -> None:
    w = world(FILES)
    assert code_lenses(w.snap, "specs/a.spec.md") == [
        Lens(
            Range.of(1, 0, 1, 0),
            "○ ungenerated · Generate",
            LensAction.REGENERATE,
            {"unit": "specs/a.spec.md#cart"},
        )
    ]
    assert code_lenses(w.snap, "src/util.py") == [
        Lens(
            Range.of(3, 0, 3, 0),
            "generated from specs/a.spec.md#cart — edit the spec",
            LensAction.OPEN_SECTION,
            {"section": "specs/a.spec.md#cart"},
        )
    ]
    assert code_lenses(w.snap, "src/other.py") == []
