"""`merge_locks`, the per-unit three-way merge behind `specls lock merge`."""

from __future__ import annotations

from pathlib import Path

from specls.lock import Lock, LockConflict, LockUnit, dump_lock, parse_lock
from specls.lockmerge import merge_locks


def unit(spec: str, when: str = "2026-01-01T00:00:00Z", out: str = "sha256:o") -> LockUnit:
    return LockUnit(
        spec=spec, inputs=spec, generator="tangle", generated=when, outputs={"src/ä.py": out}
    )


def lock(**units: LockUnit) -> Lock:
    return Lock(units={k.replace("_", "#"): v for k, v in units.items()})


def test_each_side_keeps_the_units_it_alone_changed_added_or_removed() -> None:
    base = lock(a_x=unit("1"), b_y=unit("1"), c_z=unit("1"))
    ours = lock(a_x=unit("2"), b_y=unit("1"), c_z=unit("1"), d_new=unit("9"))
    theirs = lock(a_x=unit("1"), b_y=unit("3"))  # c#z removed (pruned)
    result = merge_locks(base, ours, theirs)
    assert result.conflicts == ()
    assert result.lock == lock(a_x=unit("2"), b_y=unit("3"), d_new=unit("9"))


def test_the_same_regeneration_on_both_sides_is_one_change_the_later_stamp_kept() -> None:
    base = lock(a_x=unit("1"))
    early, late = unit("2", "2026-02-01T00:00:00Z"), unit("2", "2026-03-01T00:00:00Z")
    assert merge_locks(base, lock(a_x=early), lock(a_x=late)).lock == lock(a_x=late)
    assert merge_locks(base, lock(a_x=late), lock(a_x=early)).lock == lock(a_x=late)


def test_different_changes_and_change_against_removal_are_conflicts_kept_in_full() -> None:
    base = lock(a_x=unit("1"), b_y=unit("1"))
    ours = lock(a_x=unit("2"), b_y=unit("1", out="sha256:edited"))
    theirs = lock(a_x=unit("3"))
    result = merge_locks(base, ours, theirs)
    assert result.conflicts == ("a#x", "b#y")
    assert result.lock.units == ours.units
    assert result.lock.conflicts == {
        "a#x": LockConflict(base=unit("1"), ours=unit("2"), theirs=unit("3")),
        "b#y": LockConflict(base=unit("1"), ours=unit("1", out="sha256:edited"), theirs=None),
    }
    # the recorded conflict survives a round trip through the file and a later merge
    text = dump_lock(result.lock)
    again = parse_lock(Path("spec.lock"), text)
    assert again == result.lock
    assert merge_locks(again, again, again).lock == again


def test_a_conflict_resolved_on_one_side_stays_resolved() -> None:
    conflicted = Lock(
        units={"a#x": unit("2")},
        conflicts={"a#x": LockConflict(base=unit("1"), ours=unit("2"), theirs=unit("3"))},
    )
    resolved = conflicted.with_unit("a#x", unit("4"))
    assert resolved.conflicts == {}
    result = merge_locks(conflicted, resolved, conflicted)
    assert result.lock == resolved
    assert result.conflicts == ()


def test_a_lock_without_conflicts_is_written_as_before() -> None:
    text = dump_lock(lock(a_x=unit("1")))
    assert '"conflicts"' not in text
    assert '"described"' not in text
