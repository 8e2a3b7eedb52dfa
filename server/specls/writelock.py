"""One writer at a time per root: `spec.lock.lock`, held with `flock` (DESIGN §2).

Like git's `index.lock`, a file beside the file it guards; unlike it, held
with an advisory `flock` rather than by existence alone, so a writer killed
with SIGKILL releases it with its last file descriptor and the next writer
takes it over without anyone deciding whether it is stale. After locking, the
holder checks that the path still names the inode it locked (a previous
holder unlinks the file on release), and retries otherwise. The holder writes
its pid into the file so a waiter can say who it is waiting for.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = "spec.lock.lock"
DEFAULT_WAIT = 60.0  # seconds a second writer waits before giving up


class WriterBusy(Exception):
    """Another specls holds the root's writer lock for longer than we wait."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def acquire(root: Path, wait: float = DEFAULT_WAIT) -> int:
    """Take the writer lock of `root`; the returned descriptor is the lock."""
    path = root / LOCK_FILE
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise WriterBusy(
                    f"another specls is writing{_holder(path)}; try again when it is done"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the previous holder unlinked it as we opened it: lock the new one
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd


def release(root: Path, fd: int) -> None:
    """Unlink while still holding, then close: a waiter that opened the old inode retries."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(root / LOCK_FILE)
    os.close(fd)


@contextlib.contextmanager
def writer_lock(root: Path, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    fd = acquire(root, wait)
    try:
        yield
    finally:
        release(root, fd)


def clear_stale(root: Path) -> bool:
    """Remove a lock file a killed writer left, if no one holds it now (the next
    writer would take it over anyway; this keeps the tree as the user left it)."""
    if not (root / LOCK_FILE).exists():
        return False
    try:
        fd = acquire(root, wait=0)
    except (WriterBusy, OSError):
        return False
    release(root, fd)
    return True
