"""ide.diff: a hand edit against what its section generates now."""

from __future__ import annotations

import pytest
from specls.ide.diff import DiffError, output_diff, unified_diff

from ide.memfs import snapshot_of, world

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
