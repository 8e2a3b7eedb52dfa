"""ide.rename: section IDs over the recorded links and `spec.lock`; requirement IDs."""

from __future__ import annotations

import pytest
from specls.ide.rename import Prepared, RenameRefused, prepare_rename, rename
from specls.lock import LOCK_NAME, Lock, LockUnit, dump_lock
from specls.text import Range
from specls.units import Graph

from ide.memfs import applied, at, world


def test_prepare_on_the_id_the_heading_and_a_link() -> None:
    w = world("""
        //- specs/users.spec.md
        # Users
        ## User 🧑 model {#user-$0model}
        //- specs/auth.spec.md
        # Auth
        見る [the model](users.spec.md#user-model)
    """)
    assert prepare_rename(w.snap, w.path, w.pos) == Prepared(Range.of(1, 19, 1, 29), "user-model")
    heading = at(w.text(w.path), "User 🧑")
    assert prepare_rename(w.snap, w.path, heading) == Prepared(Range.of(1, 19, 1, 29), "user-model")
    # On the `#id` of a plain link after CJK text, in another spec: that fragment.
    link = at(w.text("specs/auth.spec.md"), "user-model", 3)
    assert prepare_rename(w.snap, "specs/auth.spec.md", link) == Prepared(
        Range.of(1, 29, 1, 39), "user-model"
    )
    assert prepare_rename(
        w.snap, "specs/auth.spec.md", at(w.text("specs/auth.spec.md"), "Auth")
    ) == Prepared(Range.of(0, 2, 0, 6), "auth")
    assert (
        prepare_rename(w.snap, "specs/auth.spec.md", at(w.text("specs/auth.spec.md"), "見")) is None
    )


def test_rename_edits_the_definition_and_every_real_link() -> None:
    w = world("""
        //- specs/users.spec.md
        # Users
        ## User model {#user-mo$0del}
        Self: [here](#user-model), [@use](#user-model)
        //- specs/auth.spec.md
        # Auth 🔐
        [@use](users.spec.md#user-model) and [see](<users.spec.md#user-model> "title")
    """)
    change = rename(w.snap, w.path, w.pos, "account")
    assert change == {
        "specs/auth.spec.md": [
            (Range.of(1, 21, 1, 31), "account"),
            (Range.of(1, 58, 1, 68), "account"),
        ],
        "specs/users.spec.md": [
            (Range.of(1, 16, 1, 26), "account"),
            (Range.of(2, 14, 2, 24), "account"),
            (Range.of(2, 35, 2, 45), "account"),
        ],
    }
    after = applied(w, change)
    assert '[see](<users.spec.md#account> "title")' in after["specs/auth.spec.md"]


def test_rename_leaves_code_spans_escaped_links_and_code_blocks_alone() -> None:
    # The old rename matched `](…#id)` with a regex of its own and rewrote all three.
    w = world("""
        //- specs/a.spec.md
        # A {#$0a}
        Write `[x](#a)` to link; \\[y](#a) is not a link; [real](#a) is.

            [indented](#a)

        ```md
        [fenced](#a)
        ```
    """)
    change = rename(w.snap, w.path, w.pos, "b")
    after = applied(w, change)["specs/a.spec.md"]
    assert after == w.text(w.path).replace("{#a}", "{#b}").replace("[real](#a)", "[real](#b)")
    assert "`[x](#a)`" in after and "\\[y](#a)" in after and "[indented](#a)" in after


def test_rename_of_a_slug_pins_an_explicit_id_and_keeps_other_slugs() -> None:
    w = world("""
        //- specs/cart.spec.md
        # Cart$0 🛒
        ## 価格
        見る [the cart](#cart-)
    """)
    assert prepare_rename(w.snap, w.path, w.pos) == Prepared(Range.of(0, 2, 0, 9), "cart-")
    change = rename(w.snap, w.path, w.pos, "#shop-cart")
    assert change == {
        "specs/cart.spec.md": [
            (Range.of(0, 9, 0, 9), " {#shop-cart}"),
            (Range.of(2, 15, 2, 20), "shop-cart"),
        ]
    }


def test_rename_pins_a_section_whose_slug_would_shift() -> None:
    w = world("""
        //- specs/a.spec.md
        # A
        ## Setup$0
        ## Setup
        [again](#setup-1)
    """)
    change = rename(w.snap, w.path, w.pos, "first")
    after = applied(w, change)["specs/a.spec.md"]
    # Without the pin, the second "Setup" would become `#setup` and its link would break.
    assert after == "# A\n## Setup {#first}\n## Setup {#setup-1}\n[again](#setup-1)\n"


def test_rename_refusals_carry_a_message() -> None:
    w = world("""
        //- specs/a.spec.md
        # A {#a}
        ## B {#$0b}
        Prose.
    """)
    with pytest.raises(RenameRefused, match="not a valid section ID") as bad:
        rename(w.snap, w.path, w.pos, "two words")
    assert bad.value.bad_name
    with pytest.raises(RenameRefused, match="already has a section #a") as taken:
        rename(w.snap, w.path, w.pos, "a")
    assert not taken.value.bad_name
    with pytest.raises(RenameRefused, match="section heading"):
        rename(w.snap, w.path, at(w.text(w.path), "Prose"), "c")


def _lock_for(w_text: str) -> str:
    """A lock that makes every unit of the fixture fresh (its spec and inputs hashes)."""
    from fixture import fixture

    from ide.memfs import ROOT, MemFS, snapshot_of

    fx = fixture(w_text)
    snap = snapshot_of(MemFS(ROOT, fx.files))
    graph = Graph(snap.workspace)
    units = {}
    for ref, unit in graph.units.items():
        files = {f: snap.reader.file_hash(f) for f in graph.use_files(unit)}
        outputs = {o.key: snap.reader.file_hash(o.path) or "" for o in unit.outputs}
        units[ref] = LockUnit(
            spec=unit.spec_hash,
            inputs=graph.inputs_hash(unit, files),
            generator="tangle",
            generated="2026-01-01T00:00:00Z",
            outputs=outputs,
        )
    return dump_lock(Lock(units=units))


FRESH = """
    //- specs/users.spec.md
    # Users
    ## User model {#user-$0model}
    [@generate](../src/user.py)
    //- specs/auth.spec.md
    # Auth
    ## Login {#login}
    [@generate](../src/login.py) [@use](users.spec.md#user-model)
    //- src/user.py
    USER = 1
    //- src/login.py
    LOGIN = 1
"""


def test_rename_rewrites_the_lock_so_fresh_units_stay_fresh() -> None:
    lock = _lock_for(FRESH)
    w = world(FRESH, {LOCK_NAME: lock})
    assert {u.status.value for u in w.snap.analysis.units.values()} == {"fresh"}
    change = rename(w.snap, w.path, w.pos, "account")
    assert sorted(change) == [LOCK_NAME, "specs/auth.spec.md", "specs/users.spec.md"]
    after = applied(w, change)
    assert '"specs/users.spec.md#account": {' in after[LOCK_NAME]
    assert "user-model" not in after[LOCK_NAME]
    # Applied, the workspace is still fresh: a rename is not a content change.
    from ide.memfs import ROOT, MemFS, snapshot_of

    files = {**w.fs.files, **{k: v.encode() for k, v in after.items()}}
    snap = snapshot_of(MemFS(ROOT, files))
    assert {ref: u.status.value for ref, u in snap.analysis.units.items()} == {
        "specs/auth.spec.md#login": "fresh",
        "specs/users.spec.md#account": "fresh",
    }


def test_rename_a_requirement_and_its_traces() -> None:
    w = world("""
        //- specs/001-shop/spec.md
        # Spec
        - **FR-0$001**: 🛒 Carts MUST add up.
        //- specs/001-shop/tasks.md
        # Tasks
        - [ ] T001 総計 (covers: FR-001) in src/cart.py
    """)
    assert prepare_rename(w.snap, w.path, w.pos) == Prepared(Range.of(1, 4, 1, 10), "FR-001")
    change = rename(w.snap, w.path, w.pos, "FR-010")
    assert change == {
        "specs/001-shop/spec.md": [(Range.of(1, 4, 1, 10), "FR-010")],
        "specs/001-shop/tasks.md": [(Range.of(1, 23, 1, 29), "FR-010")],
    }
    with pytest.raises(RenameRefused, match="keep the form of FR-001") as bad:
        rename(w.snap, w.path, w.pos, "T001")
    assert bad.value.bad_name


RANGES = """
    //- specs/001-shop/spec.md
    # Spec
    - **FR-054**: 🛒 Carts MUST add up.
    - **FR-055**: Totals MUST be exact.
    - **FR-056**: Tax MUST be shown.
    //- specs/001-shop/tasks.md
    # Tasks
    - [ ] T030 Model
    - [ ] T031 View
    - [ ] T032 Tests
    - [ ] T033 総計 Check {a}T030-T0{b}32 (covers: FR-054 {c}through FR-05{d}6)
"""


def ranges(cursor: str) -> str:
    marks = dict.fromkeys("abcd", "")
    marks[cursor] = "$0"
    return RANGES.format(**marks)


def test_in_a_range_only_the_end_under_the_cursor_is_renamed() -> None:
    w = world(ranges("b"))
    # `総計` is two UTF-16 units, like two code points: `T032` ends at column 29
    assert prepare_rename(w.snap, w.path, w.pos) == Prepared(Range.of(4, 25, 4, 29), "T032")
    assert rename(w.snap, w.path, w.pos, "T042") == {
        "specs/001-shop/tasks.md": [
            (Range.of(3, 6, 3, 10), "T042"),
            (Range.of(4, 25, 4, 29), "T042"),
        ]
    }
    w = world(ranges("d"))
    assert prepare_rename(w.snap, w.path, w.pos) == Prepared(Range.of(4, 54, 4, 60), "FR-056")
    assert rename(w.snap, w.path, w.pos, "FR-060") == {
        "specs/001-shop/spec.md": [(Range.of(3, 4, 3, 10), "FR-060")],
        "specs/001-shop/tasks.md": [(Range.of(4, 54, 4, 60), "FR-060")],
    }


def test_a_range_is_not_renamed_from_its_middle() -> None:
    w = world(ranges("c"))
    assert prepare_rename(w.snap, w.path, w.pos) is None  # on `through`
    w = world(RANGES.format(a="", b="", c="", d="").replace("T031 View", "T0$031 View"))
    assert prepare_rename(w.snap, w.path, w.pos) == Prepared(Range.of(2, 6, 2, 10), "T031")
    with pytest.raises(RenameRefused) as refused:
        rename(w.snap, w.path, w.pos, "T039")
    assert refused.value.message == (
        "T031 is inside the range T030-T032 (specs/001-shop/tasks.md:5) but not written there:"
        " split the range by hand, then rename"
    )
    assert not refused.value.bad_name
