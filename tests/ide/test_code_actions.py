"""ide.code_actions: the edits behind "move this change into the spec" and "create section"."""

from __future__ import annotations

from specls.ide.code_actions import (
    append_section,
    create_section,
    heading_for,
    move_change,
    needs_regeneration,
    units_at,
)
from specls.text import Range

from ide.memfs import at, world

SPEC = """
    //- specs/a.spec.md
    # A
    ## Cart 🛒 {#cart}
    [@generate](../src/cart.py)

    ```python file=../src/cart.py
    X = 1
    ```
    //- src/cart.py
    X = 2
"""


def test_move_change_quotes_the_diff_at_the_end_of_the_section() -> None:
    w = world(SPEC)
    us = w.snap.analysis.units["specs/a.spec.md#cart"]
    change = move_change(w.snap, us, "src/cart.py")
    assert change is not None
    [(rng, text)] = change["specs/a.spec.md"]
    assert rng == Range.of(6, 3, 6, 3)
    assert text.startswith("\n\n> **Hand edit to move into this section**: `src/cart.py`")
    assert text.endswith(
        "> ```diff\n> --- a/src/cart.py (generated from specs/a.spec.md#cart)\n"
        "> +++ b/src/cart.py (as it is now)\n> @@ -1 +1 @@\n> -X = 1\n> +X = 2\n> ```"
    )


def test_create_a_missing_section_from_a_use() -> None:
    w = world("""
        //- specs/a.spec.md
        # A
        見る [@use](b.spec.md#user-model)
        //- specs/b.spec.md
        # B
    """)
    doc = w.snap.workspace.docs["specs/a.spec.md"]
    found = create_section(w.snap, doc, Range.of(1, 10, 1, 31))
    assert found == (
        "specs/b.spec.md",
        "user-model",
        {"specs/b.spec.md": [(Range.of(1, 0, 1, 0), "\n## User model {#user-model}\n")]},
    )
    assert heading_for("a.b_c") == "A b c"
    assert append_section("x.spec.md", "", "q") == {
        "x.spec.md": [(Range.of(0, 0, 0, 0), "## Q {#q}\n")]
    }


UNITS = """
    //- specs/a.spec.md
    # A 🛒
    ## Cart {#cart}
    [@generate](../src/cart.py)
    ### Detail
    text
    ## Util {#util}
    [@generate](../src/util.py#helper)
    ## Notes
    //- src/cart.py
    X = 1
    //- src/util.py
    import os


    def helper() -> None: ...
"""


def test_the_units_an_action_at_a_position_concerns() -> None:
    w = world(UNITS)
    spec = w.text("specs/a.spec.md")
    # In a subsection of a unit: that unit; in a section that is none: nothing.
    assert [u.ref for u in units_at(w.snap, "specs/a.spec.md", at(spec, "text"))] == [
        "specs/a.spec.md#cart"
    ]
    assert units_at(w.snap, "specs/a.spec.md", at(spec, "Notes")) == []
    code = w.text("src/util.py")
    # In a generated symbol: its unit; elsewhere in the file: every unit that owns part of it.
    assert [u.ref for u in units_at(w.snap, "src/util.py", at(code, "helper"))] == [
        "specs/a.spec.md#util"
    ]
    assert [u.ref for u in units_at(w.snap, "src/util.py", at(code, "import"))] == [
        "specs/a.spec.md#util"
    ]
    assert units_at(w.snap, "src/other.py", at(code, "import")) == []
    assert needs_regeneration(w.snap, "specs/a.spec.md")
    assert not needs_regeneration(w.snap, "src/cart.py")
