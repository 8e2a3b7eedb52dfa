"""Apply a set of file writes as one transaction: all change, or none do; a crash
(kill -9, power loss) is finished by `recover` on the next run.

The steps, each durable (fsync) before the next:

1. an intent record, `.specls/txn/<id>.json` (phase "staging"), names every
   target, the temp file its new bytes go to and the old and new hashes;
2. every new file is staged beside its target (`.<name>.<id>.specls-tmp`,
   same file system so the rename is atomic), the lock's new bytes too;
3. the record moves to phase "staged": from here every new byte is on disk;
4. the temp files are renamed over their targets, `spec.lock` last, so the
   lock never claims an output that is not there;
5. the record is deleted.

`recover(root)` rolls an interrupted transaction back when it died while
staging (nothing was replaced yet: its temp files are removed) and forward
when it died after staging (the remaining renames are done). Forward,
because every new byte is already durable, it is what the user asked for,
and it leaves outputs and lock agreeing; rolling back would need a copy of
every old file. A target or lock that changed since the crash (its hash is
neither the old nor the new one) is left alone and reported. `recover` also
removes stray temp files of specls's naming scheme whose writer is gone.

An error inside `apply_files` (a failed rename) puts back the files already
replaced from the copies held in memory and removes the temp files.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import re
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from specls.config import ALWAYS_EXCLUDED, Config, ConfigError, load_config
from specls.fsutil import (
    UnsafePathError,
    atomic_write,
    create_private_file,
    fsync_dir,
    read_regular,
)
from specls.lock import LOCK_NAME
from specls.paths import forbidden_output
from specls.text import sha256_bytes

TXN_DIR = ".specls/txn"
TMP_SUFFIX = ".specls-tmp"
# `.<name>.<id>.specls-tmp`, id = `<ns>-<pid>`; and mkstemp's `.<name>.<8 chars>.specls-tmp`
# (fsutil.stage_file, older specls). Nothing else is ever removed as a stray.
_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?:(?P<ns>\d+)-(?P<pid>\d+)|[a-z0-9_]{8})\.specls-tmp\Z")
_STRAY_AGE = 60.0  # seconds: a temp file without a live owner older than this is a stray


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


def _hash_of(path: Path) -> str | None:
    """Byte-exact hash of a file, None when it does not exist (OSError if unreadable)."""
    try:
        return sha256_bytes(read_regular(path))
    except FileNotFoundError:
        return None


def _tmp_rel(rel: str, txn_id: str) -> str:
    head, _, name = rel.rpartition("/")
    tmp = f".{name}.{txn_id}{TMP_SUFFIX}"
    return f"{head}/{tmp}" if head else tmp


@dataclass
class _Entry:
    path: str
    tmp: str
    old: str | None
    new: str


def _write_record(root: Path, txn_id: str, phase: str, entries: list[_Entry]) -> None:
    record = {
        "version": 1,
        "id": txn_id,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "phase": phase,
        "files": [e.__dict__ for e in entries],
    }
    data = json.dumps(record, indent=1, ensure_ascii=False).encode("utf-8")
    create_private_file(root, f"{TXN_DIR}/{txn_id}.json", data, replace=True)
    fsync_dir(root / TXN_DIR)


def _stage(root: Path, rel: str, data: bytes) -> None:
    """Write `data` to the temp path `rel` (new, never through a symlink), mode of the target."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def apply_files(
    root: Path,
    files: dict[str, bytes],
    *,
    config: Config | None = None,
    specs: frozenset[str] = frozenset(),
    lock: bytes | None = None,
) -> list[str]:
    """Write `files` (workspace-relative POSIX path -> bytes) all or none; then `lock`
    (the new `spec.lock` bytes, when given) as the last rename of the same transaction.

    Every path is first checked against `paths.forbidden_output` with `config`
    (read from the root when None) and the known spec paths `specs`. Runs
    `recover(root)` first (the lead's writer lock will call it instead);
    returns what recovery did.
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
    recovered = recover(root, {posixpath.dirname(rel) or "." for rel in [*files, LOCK_NAME]})
    writes = dict(files)
    if lock is not None:
        writes[LOCK_NAME] = lock
    if not writes:
        return recovered
    txn_id = f"{time.time_ns()}-{os.getpid()}"
    originals: dict[str, bytes | None] = {}
    entries: list[_Entry] = []
    try:
        for rel, data in writes.items():
            try:
                originals[rel] = read_regular(root / rel)
            except FileNotFoundError:
                originals[rel] = None
            before = originals[rel]
            entries.append(
                _Entry(
                    rel,
                    _tmp_rel(rel, txn_id),
                    sha256_bytes(before) if before is not None else None,
                    sha256_bytes(data),
                )
            )
        _write_record(root, txn_id, "staging", entries)
    except OSError as exc:
        raise TransactionError(f"cannot start the transaction: {exc.strerror or exc}") from None
    staged: list[_Entry] = []
    try:
        for e in entries:
            _stage(root, e.tmp, writes[e.path])
            staged.append(e)
            if (root / e.path).exists():
                with contextlib.suppress(OSError):
                    os.chmod(root / e.tmp, (root / e.path).stat().st_mode & 0o7777)
        for d in {(root / e.tmp).parent for e in entries}:
            fsync_dir(d)
        _write_record(root, txn_id, "staged", entries)
    except OSError as exc:
        for e in staged:
            with contextlib.suppress(OSError):
                (root / e.tmp).unlink()
        _remove_record(root, txn_id)
        raise TransactionError(f"cannot stage {exc.filename}: {exc.strerror or exc}") from None
    done: list[str] = []
    try:
        for e in entries:
            os.replace(root / e.tmp, root / e.path)
            done.append(e.path)
        for d in {(root / e.path).parent for e in entries}:
            fsync_dir(d)
    except OSError as exc:
        for rel in done:
            before = originals[rel]
            with contextlib.suppress(OSError):
                if before is None:
                    (root / rel).unlink()
                else:
                    atomic_write(root / rel, before)
        for e in entries:
            if e.path not in done:
                with contextlib.suppress(OSError):
                    (root / e.tmp).unlink()
        _remove_record(root, txn_id)
        raise TransactionError(f"cannot replace {exc.filename}: {exc.strerror}") from None
    _remove_record(root, txn_id)
    return recovered


def _remove_record(root: Path, txn_id: str) -> None:
    with contextlib.suppress(OSError):
        (root / TXN_DIR / f"{txn_id}.json").unlink()
        fsync_dir(root / TXN_DIR)
    for d in (TXN_DIR, TXN_DIR.rpartition("/")[0]):  # leave no empty .specls behind
        with contextlib.suppress(OSError):
            (root / d).rmdir()


def _alive(pid: int, host: str | None) -> bool:
    """Whether a transaction's writer may still be running (then it is not touched)."""
    if host is not None and host != socket.gethostname():
        return True  # another machine (a network share): not ours to judge
    if pid == os.getpid():
        return True  # another thread of this process (the server) may be writing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: exists, owned by someone else
        return True
    return True


def _records(root: Path) -> Iterator[tuple[Path, dict[str, object] | None]]:
    txn = root / TXN_DIR
    if txn.is_symlink() or not txn.is_dir():
        return
    for path in sorted(txn.glob("*.json")):
        try:
            data = json.loads(read_regular(path))
        except (OSError, ValueError, RecursionError):
            yield path, None
            continue
        yield path, data if isinstance(data, dict) else None


def _safe_rel(rel: object) -> str | None:
    """A record's path, only if it is a plain path under the root (records are input too)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel:
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    return rel


def _roll(root: Path, record: dict[str, object], done: list[str]) -> None:
    txn_id = str(record.get("id"))
    phase = record.get("phase")
    raw = record.get("files")
    entries = raw if isinstance(raw, list) else []
    lock_last = sorted(entries, key=lambda e: isinstance(e, dict) and e.get("path") == LOCK_NAME)
    for e in lock_last:
        if not isinstance(e, dict):
            continue
        rel, tmp = _safe_rel(e.get("path")), _safe_rel(e.get("tmp"))
        if rel is None or tmp is None or not _TMP_NAME.match(tmp.rpartition("/")[2]):
            done.append(f"ignored a malformed entry in transaction {txn_id}")
            continue
        tmp_path = root / tmp
        if phase != "staged":  # died while staging: nothing was replaced; drop the temp file
            if tmp_path.is_file() and not tmp_path.is_symlink():
                tmp_path.unlink()
                done.append(f"rolled back {rel} (removed {tmp})")
            continue
        try:
            current = _hash_of(root / rel)
        except OSError as exc:
            done.append(f"left {rel}: cannot read it ({exc.strerror})")
            continue
        staged_ok = tmp_path.is_file() and not tmp_path.is_symlink()
        if current == e.get("new"):
            if staged_ok:
                tmp_path.unlink()
            continue  # replaced before the crash
        if current != e.get("old"):
            if staged_ok:
                tmp_path.unlink()
            done.append(f"left {rel}: it changed since the interrupted write; not rolled forward")
            continue
        if not staged_ok or _hash_of(tmp_path) != e.get("new"):
            done.append(f"left {rel}: its staged copy {tmp} is gone or damaged")
            continue
        os.replace(tmp_path, root / rel)
        fsync_dir((root / rel).parent)
        done.append(f"rolled forward {rel}")


def _strays(root: Path, dirs: Iterable[Path]) -> Iterator[Path]:
    for d in dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            if _TMP_NAME.match(name):
                yield d / name


def _walk_dirs(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ALWAYS_EXCLUDED]
        yield Path(dirpath)


def recover(root: Path, dirs: Iterable[str] | None = None) -> list[str]:
    """Finish or undo transactions a killed specls left, and remove its stray temp files.

    Call it with the root's writer lock held, before planning a write. Returns
    one line per thing done ("rolled forward src/x.py", "removed stray
    src/.x.py.123-45.specls-tmp"), empty when there was nothing to do. Temp
    files are looked for in `dirs` (workspace-relative directories), or in
    the whole root (skipping `.git`, `node_modules`, …) when None.
    """
    done: list[str] = []
    live: set[str] = set()
    for path, record in _records(root):
        if record is None:
            done.append(f"ignored unreadable transaction record {path.name}")
            continue
        pid, host = record.get("pid"), record.get("host")
        if isinstance(pid, int) and _alive(pid, host if isinstance(host, str) else None):
            live.add(str(record.get("id")))
            continue
        try:
            _roll(root, record, done)
        except OSError as exc:
            done.append(f"could not finish transaction {record.get('id')}: {exc}")
            continue
        with contextlib.suppress(OSError):
            path.unlink()
    now = time.time()
    where = _walk_dirs(root) if dirs is None else (root / d for d in dirs)
    for stray in _strays(root, where):
        m = _TMP_NAME.match(stray.name)
        assert m is not None
        try:
            st = stray.lstat()
        except OSError:
            continue
        if m.group("pid") is not None:
            if f"{m.group('ns')}-{m.group('pid')}" in live or _alive(int(m.group("pid")), None):
                continue
        elif now - st.st_mtime < _STRAY_AGE:
            continue  # a random-named temp file (atomic_write) may be in use right now
        with contextlib.suppress(OSError):
            stray.unlink()
            done.append(f"removed stray {stray.relative_to(root).as_posix()}")
    return done


__all__ = ["TransactionError", "UnsafePathError", "apply_files", "recover"]
