"""ide.diff: a hand edit against what its section generates now."""

from __future__ import annotations

import pytest
from memfs import snapshot_of, world
from specls.ide.code_actions import append_section, create_section, heading_for, move_change
from specls.ide.diff import DiffError, output_diff, unified_diff
from specls.text import Range

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


def test_unified_diff_names_both_sides() -> None:
    assert unified_diff("a\n", "b\n", "src/x.py", "s.spec.md#x") == (
        "--- a/src/x.py (generated from s.spec.md#x)\n"
        "+++ b/src/x.py (as it is now)\n"
        "@@ -1 +1 @@\n"
        "-a\n"
        "+b\n"
    )


def test_output_diff_against_what_tangle_generates() -> None:
    w = world(SPEC)
    us = w.snap.analysis.units["specs/a.spec.md#cart"]
    path, diff = output_diff(w.snap, us, "src/cart.py")
    assert path == "src/cart.py"
    assert diff.splitlines()[2:] == ["@@ -1 +1 @@", "-X = 1", "+X = 2"]
    with pytest.raises(DiffError, match=r"is not an output of specs/a\.spec\.md#cart"):
        output_diff(w.snap, us, "src/other.py")
    # An open buffer wins over the disk.
    live = snapshot_of(w.fs, {"src/cart.py": "X = 1\n"})
    assert output_diff(live, live.analysis.units[us.ref], "src/cart.py")[1] == ""


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
