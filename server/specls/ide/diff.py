"""A hand edit as a diff: the output as it is against what its section last generated.

What was last generated is looked up in `.specls/history/` by the hash the
lock holds for the output (recorded by the write path, for every generator);
without a record, tangle recomputes it (an agent cannot: its unit gets a
message instead). `specls.showDiff` writes the diff to a file and the "Move
this change into the spec" action quotes it in the section; both start here.
"""

from __future__ import annotations

import difflib

from specls import code, history
from specls.ide.snapshot import Snapshot
from specls.regen.generators import run_tangle
from specls.regen.presets import BUILTIN
from specls.regen.tangle import GenerationError
from specls.status import UnitStatus


class DiffError(ValueError):
    """The diff cannot be computed (not an output of the unit, or tangle failed)."""


def unified_diff(generated: str, current: str, path: str, ref: str) -> str:
    """`generated` → `current`: the hand edit, as a patch one could apply to the output."""
    lines = difflib.unified_diff(
        generated.splitlines(keepends=True),
        current.splitlines(keepends=True),
        fromfile=f"a/{path} (generated from {ref})",
        tofile=f"b/{path} (as it is now)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def output_diff(snap: Snapshot, us: UnitStatus, key: str) -> tuple[str, str]:
    """(output path, diff of the output against what its section last generated).

    Raises `DiffError` (a `ValueError`) with a message for the user.
    """
    out = next((o.output for o in us.outputs if o.key == key), None)
    if out is None:
        raise DiffError(f"{key} is not an output of {us.ref}")
    lock = snap.workspace.lock
    entry = lock.units.get(us.ref) if lock is not None else None
    digest = entry.outputs.get(key) if entry is not None else None
    stored = history.lookup(snap.workspace.root, digest) if digest else None
    current = snap.text(out.path) or ""
    if stored is not None:
        if out.symbol is not None:
            language = code.language_for_path(out.path) or ""
            found = code.find_symbol(current, language, out.symbol)
            current = code.symbol_text(current, found) if found is not None else ""
        return out.path, unified_diff(stored, current, key, us.ref)
    if entry is not None and entry.generator != BUILTIN:
        raise DiffError(
            f"{key}: what {entry.generator} last generated was not recorded (specls keeps it"
            f" in .specls/history/ from this version on); regenerate {us.ref} to record it"
        )
    try:
        generated = run_tangle(us.unit, snap.text)
    except GenerationError as exc:
        raise DiffError(f"cannot compute what {us.ref} generates: {exc}") from exc
    return out.path, unified_diff(generated.get(out.path, ""), current, out.path, us.ref)
