"""`specls lock merge %O %A %B`: a git merge driver that merges `spec.lock` per unit.

The lock is one JSON object keyed by unit, so a textual merge of two
branches that regenerated different units conflicts on neighbouring lines
(or worse, leaves conflict markers in a JSON file). Merged per unit, such
branches join cleanly; a unit changed differently on both sides is recorded
in the lock's `conflicts` (every side kept, the file valid JSON) and
`specls check` reports it on that unit until it is regenerated or stamped.

Install it with:

    # .gitattributes
    spec.lock merge=specls
    # once per clone
    git config merge.specls.driver "specls lock merge %O %A %B %P"
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from specls.findings import Code, Finding, Related, Severity
from specls.lock import (
    LOCK_NAME,
    Lock,
    LockConflict,
    LockError,
    LockUnit,
    key_range,
    parse_lock,
    write_lock,
)
from specls.workspace import Workspace

EXIT_CLEAN, EXIT_CONFLICT, EXIT_UNREADABLE = 0, 1, 2


def _content(unit: LockUnit) -> LockUnit:
    """The unit without its timestamp: two regenerations that produced the same
    spec, inputs and outputs are the same change, whenever they ran."""
    return unit.model_copy(update={"generated": ""})


@dataclass(frozen=True, slots=True)
class MergeResult:
    lock: Lock
    conflicts: tuple[str, ...]  # units changed differently on both sides, sorted


def merge_locks(base: Lock, ours: Lock, theirs: Lock) -> MergeResult:
    """Three-way merge per unit: a side that left a unit as the base had it
    takes the other side's version; equal changes are one change."""
    units: dict[str, LockUnit] = {}
    new_conflicts: dict[str, LockConflict] = {}
    for ref in sorted(set(base.units) | set(ours.units) | set(theirs.units)):
        o, a, b = base.units.get(ref), ours.units.get(ref), theirs.units.get(ref)
        if a == b or b == o:
            kept = a
        elif a == o:
            kept = b
        elif a is not None and b is not None and _content(a) == _content(b):
            kept = max(a, b, key=lambda u: u.generated)
        else:
            new_conflicts[ref] = LockConflict(base=o, ours=a, theirs=b)
            kept = a if a is not None else b
        if kept is not None:
            units[ref] = kept
    conflicts: dict[str, LockConflict] = {}
    for ref in set(base.conflicts) | set(ours.conflicts) | set(theirs.conflicts):
        co, ca, cb = base.conflicts.get(ref), ours.conflicts.get(ref), theirs.conflicts.get(ref)
        kept_c = cb if ca == co else ca  # a side that resolved or recorded one wins
        if kept_c is not None and ref in units:
            conflicts[ref] = kept_c
    conflicts.update(new_conflicts)
    merged = Lock(version=ours.version, units=units, conflicts=dict(sorted(conflicts.items())))
    return MergeResult(merged, tuple(sorted(new_conflicts)))


def _read(path: Path, label: str) -> Lock:
    """A side of the merge; an empty or absent file is an empty lock (added on both sides)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return Lock()
    except UnicodeDecodeError:
        raise LockError(Path(label), 1, "not valid UTF-8") from None
    if not text.strip():
        return Lock()
    return parse_lock(Path(label), text)


def run_merge_driver(base: Path, ours: Path, theirs: Path, name: str | None = None) -> int:
    """Merge into `ours` as git expects of a driver: 0 clean, non-zero when the
    merge needs a person (conflicts recorded in the file, or a side unreadable;
    then `ours` is left as it was)."""
    name = name or LOCK_NAME
    try:
        sides = [
            _read(base, f"{name} (base)"),
            _read(ours, f"{name} (ours)"),
            _read(theirs, f"{name} (theirs)"),
        ]
    except LockError as exc:
        print(
            f"specls: cannot merge {name}: {exc}; the file was left as on this branch",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    result = merge_locks(*sides)
    write_lock(ours, result.lock)
    if not result.conflicts:
        return EXIT_CLEAN
    print(
        f"specls: {name}: {len(result.conflicts)} unit(s) changed differently on both"
        f" sides: {', '.join(result.conflicts)}. Both versions are kept under"
        ' "conflicts" (the file is valid JSON); regenerate or stamp each unit'
        f" (`specls regen --force REF` or `specls stamp REF`), then `git add {name}`.",
        file=sys.stderr,
    )
    return EXIT_CONFLICT


def _side(label: str, unit: LockUnit | None) -> str:
    if unit is None:
        return f"{label}: removed"
    return f"{label}: {unit.generator} at {unit.generated}"


def conflict_findings(ws: Workspace, lock_text: str | None) -> list[Finding]:
    """One error per unit the lock records as conflicted, on its section heading
    (on the lock itself when the section is gone)."""
    if ws.lock is None:
        return []
    found: list[Finding] = []
    for ref, c in sorted(ws.lock.conflicts.items()):
        in_lock = key_range(lock_text, ref, after="conflicts")
        message = (
            f"{ref} was changed differently on both sides of a merge of {LOCK_NAME}"
            f" ({_side('ours', c.ours)}; {_side('theirs', c.theirs)}); regenerate it"
            f" (`specls regen --force {ref}`, which backs up the merged outputs) or accept"
            f" them as they are (`specls stamp {ref}`)"
        )
        section = ws.section(ref)
        if section is None:
            found.append(
                Finding(
                    Code.LOCK_MERGE_CONFLICT,
                    Severity.ERROR,
                    message,
                    LOCK_NAME,
                    in_lock,
                    unit=ref,
                )
            )
            continue
        doc, sec = section
        found.append(
            Finding(
                Code.LOCK_MERGE_CONFLICT,
                Severity.ERROR,
                message,
                doc.path,
                sec.heading_range,
                (Related(LOCK_NAME, in_lock, "the conflict recorded in the lock"),),
                unit=ref,
            )
        )
    return found
