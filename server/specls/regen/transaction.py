"""Apply a set of file writes as one transaction: all change, or none do.

Every new file is staged beside its target and fsynced first; only then are
they renamed into place. If a rename fails, the files already replaced are
put back from the copies held in memory, and staged temp files are removed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from specls.config import Config, ConfigError, load_config
from specls.fsutil import atomic_write, fsync_dir, stage_file
from specls.paths import forbidden_output


class TransactionError(Exception):
    pass


def _inside(root: Path, rel: str) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(root / rel)
    return real.startswith(real_root + os.sep)


def _policy_config(root: Path, config: Config | None) -> Config:
    if config is not None:
        return config
    try:
        return load_config(root)[0]
    except ConfigError as exc:  # unknown rules: refuse rather than guess
        raise TransactionError(f"cannot read the workspace config: {exc}") from None


def apply_files(
    root: Path,
    files: dict[str, bytes],
    *,
    config: Config | None = None,
    specs: frozenset[str] = frozenset(),
) -> None:
    """Write `files` (workspace-relative POSIX path -> bytes) all or none.

    Every path is first checked against `paths.forbidden_output` with `config`
    (read from the root when None) and the known spec paths `specs`.
    """
    outside = sorted(rel for rel in files if not _inside(root, rel))
    if outside:
        raise TransactionError(f"refusing to write outside the workspace: {', '.join(outside)}")
    policy = _policy_config(root, config)
    forbidden = [
        why for rel in sorted(files) if (why := forbidden_output(root, policy, rel, specs))
    ]
    if forbidden:
        raise TransactionError("refusing to write: " + "; ".join(forbidden))
    originals: dict[str, bytes | None] = {}
    staged: dict[str, Path] = {}
    try:
        for rel, data in files.items():
            target = root / rel
            originals[rel] = target.read_bytes() if target.exists() else None
            staged[rel] = stage_file(target, data)
    except OSError as exc:
        for tmp in staged.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise TransactionError(f"cannot stage {exc.filename}: {exc.strerror}") from None
    done: list[str] = []
    try:
        for rel, tmp in staged.items():
            os.replace(tmp, root / rel)
            done.append(rel)
        for rel in files:
            fsync_dir((root / rel).parent)
    except OSError as exc:
        for rel in done:
            before = originals[rel]
            with contextlib.suppress(OSError):
                if before is None:
                    (root / rel).unlink()
                else:
                    atomic_write(root / rel, before)
        for rel, tmp in staged.items():
            if rel not in done:
                with contextlib.suppress(OSError):
                    tmp.unlink()
        raise TransactionError(f"cannot replace {exc.filename}: {exc.strerror}") from None
