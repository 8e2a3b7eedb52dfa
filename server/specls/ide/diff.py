"""A hand edit as a diff: the output as it is against what its section generates now.

`specls.showDiff` writes it to a file and the "Move this change into the
spec" action quotes it in the section; both start here.
"""

from __future__ import annotations

import difflib

from specls.ide.snapshot import Snapshot
from specls.regen.generators import run_tangle
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
    """(output path, diff of the output against what its section generates now).

    Raises `DiffError` (a `ValueError`) with a message for the user.
    """
    out = next((o.output for o in us.outputs if o.key == key), None)
    if out is None:
        raise DiffError(f"{key} is not an output of {us.ref}")
    try:
        generated = run_tangle(us.unit, snap.text)
    except GenerationError as exc:
        raise DiffError(f"cannot compute what {us.ref} generates: {exc}") from exc
    current = snap.text(out.path) or ""
    return out.path, unified_diff(generated.get(out.path, ""), current, out.path, us.ref)
