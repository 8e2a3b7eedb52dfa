"""Atomic file writes: a reader sees the old bytes or the new ones, never half."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import stat
import tempfile
from pathlib import Path


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; OSError("not a regular file") for anything else.

    Opened with O_NONBLOCK, then checked with fstat on the open descriptor (no
    race with a rename): a FIFO named `x.spec.md` would otherwise block a read
    forever, and a device could stream without end.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@functools.cache
def _umask() -> int:
    """Read once: setting the umask to read it is process-wide, so not on every write."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def stage_file(path: Path, data: bytes) -> Path:
    """Write `data` to a temp file beside `path` (same filesystem, so rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".specls-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:  # mkstemp makes 0600; a new file gets what `open()` would give it
            os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def atomic_write(path: Path, data: bytes) -> None:
    tmp = stage_file(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


class UnsafePathError(OSError):
    """A file under the root would be written through a symlink or outside the root."""


def _parts(rel: str) -> list[str]:
    parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or os.path.isabs(rel):
        raise UnsafePathError(errno.EINVAL, f"refusing to write {rel}: not a path under the root")
    return parts


def create_private_file(
    root: Path, rel: str, data: bytes, *, replace: bool = False, mode: int = 0o600
) -> Path:
    """Create `root/rel` with `data`, never through a symlink; the path written.

    For files specls keeps for itself under `.specls` (backups, diffs), where a
    cloned repository could have planted `.specls -> /elsewhere` or
    `.specls/diff/x.diff -> ~/.bashrc`. Each directory below the root is opened
    with O_NOFOLLOW relative to its parent (created when missing), so a symlink
    anywhere in `rel` is refused (UnsafePathError) and nothing can land outside
    the root; the file is created with O_CREAT|O_EXCL|O_NOFOLLOW. An existing
    file is an error unless `replace`, which writes a fresh file beside it and
    renames it over the old entry (a symlink there is replaced, not followed).
    """
    parts = _parts(rel)
    if not (
        os.supports_dir_fd >= {os.open, os.mkdir, os.rename, os.unlink}
        and hasattr(os, "O_NOFOLLOW")
    ):
        return _create_private_file_portable(root, parts, rel, data, replace, mode)
    nofollow_dir = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i, name in enumerate(parts[:-1]):
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=fd)
            try:
                child = os.open(name, nofollow_dir, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    where = "/".join(parts[: i + 1])
                    raise UnsafePathError(
                        exc.errno,
                        f"refusing to write {rel}: {where} is a symlink or not a directory",
                    ) from None
                raise
            os.close(fd)
            fd = child
        name = parts[-1]
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        target = f".{name}.{os.getpid()}.specls-tmp" if replace else name
        try:
            out = os.open(target, flags, mode, dir_fd=fd)
        except FileExistsError:
            raise UnsafePathError(
                errno.EEXIST, f"refusing to write {rel}: it already exists"
            ) from None
        try:
            with os.fdopen(out, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if replace:
                os.rename(target, name, src_dir_fd=fd, dst_dir_fd=fd)  # POSIX: replaces
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target, dir_fd=fd)
            raise
    finally:
        os.close(fd)
    return root.joinpath(*parts)


def _create_private_file_portable(
    root: Path, parts: list[str], rel: str, data: bytes, replace: bool, mode: int
) -> Path:
    """Windows: no dir_fd; check each component with lstat, then create with O_EXCL."""
    here = root
    for i, name in enumerate(parts[:-1]):
        here = here / name
        if here.is_symlink() or (here.exists() and not here.is_dir()):
            where = "/".join(parts[: i + 1])
            raise UnsafePathError(
                errno.ELOOP, f"refusing to write {rel}: {where} is a symlink or not a directory"
            )
        here.mkdir(mode=0o700, exist_ok=True)
    path = here / parts[-1]
    if not replace and (path.is_symlink() or path.exists()):
        raise UnsafePathError(errno.EEXIST, f"refusing to write {rel}: it already exists")
    if replace and (path.is_symlink() or path.exists()):
        path.unlink()  # the entry itself, not what a symlink points at
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
