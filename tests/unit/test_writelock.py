"""One writer per root: waiting, giving up with the holder's pid, and a lock left by
a killed writer taken over without anyone deciding it is stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from specls.lock import LOCK_NAME, Lock, LockUnit, dump_lock
from specls.service import Change, WriteRefused, commit, merged_lock
from specls.workspace import Workspace
from specls.writelock import LOCK_FILE, WriterBusy, acquire, release, writer_lock

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from specls.writelock import acquire\n"
    "fd = acquire(Path(sys.argv[1]))\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def _holder(root: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_gives_up_naming_the_holder(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 30)
    try:
        started = time.monotonic()
        with pytest.raises(WriterBusy, match=rf"another specls is writing \(pid {proc.pid}\)"):
            acquire(tmp_path, wait=0.3)
        assert time.monotonic() - started < 5
    finally:
        proc.kill()
        proc.wait()


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 0.5)
    try:
        with writer_lock(tmp_path, wait=20):
            assert proc.poll() is not None  # we got it only once the holder was gone
            assert (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())
    finally:
        proc.wait()
    assert not (tmp_path / LOCK_FILE).exists()  # released and removed


def test_a_lock_left_by_a_killed_writer_is_taken_over(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (tmp_path / LOCK_FILE).exists()  # left behind, with the dead pid in it
    fd = acquire(tmp_path, wait=1)
    release(tmp_path, fd)


def test_the_lock_file_is_never_followed_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("precious\n")
    (tmp_path / LOCK_FILE).symlink_to(target)
    with pytest.raises(OSError):
        acquire(tmp_path, wait=0.1)
    assert target.read_text() == "precious\n"


def test_commit_refuses_while_another_writer_holds_the_root(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 30)
    try:
        with pytest.raises(WriteRefused, match="another specls is writing"):
            commit(Workspace.load(tmp_path), Change(set_units={"a#b": _entry("1")}), wait=0.2)
        assert not (tmp_path / LOCK_NAME).exists()
    finally:
        proc.kill()
        proc.wait()


def _entry(h: str, generated: str = "2026-01-01T00:00:00Z") -> LockUnit:
    return LockUnit(spec=h, inputs=h, generator="tangle", generated=generated, outputs={"x": h})


def test_commit_merges_into_the_lock_as_it_is_on_disk(tmp_path: Path) -> None:
    """A writer that loaded the lock long ago changes only its own entries."""
    (tmp_path / LOCK_NAME).write_text(dump_lock(Lock(units={"a#one": _entry("1")})))
    commit(Workspace.load(tmp_path), Change(set_units={"a#two": _entry("2")}))
    change = Change(set_units={"a#three": _entry("3")}, drop_units=("a#one",))
    commit(Workspace.load(tmp_path), change)
    text = (tmp_path / LOCK_NAME).read_text()
    assert '"a#two"' in text and '"a#three"' in text and '"a#one"' not in text


def test_an_entry_that_differs_only_by_its_timestamp_keeps_the_old_one() -> None:
    old = Lock(units={"a#one": _entry("1", "2026-01-01T00:00:00Z")})
    again = merged_lock(old, Change(set_units={"a#one": _entry("1", "2026-06-06T06:06:06Z")}))
    assert again == old
    changed = merged_lock(old, Change(set_units={"a#one": _entry("2", "2026-06-06T06:06:06Z")}))
    assert changed.units["a#one"].generated == "2026-06-06T06:06:06Z"


def test_committing_nothing_new_leaves_the_lock_byte_identical(tmp_path: Path) -> None:
    data = dump_lock(Lock(units={"a#one": _entry("1")}))
    (tmp_path / LOCK_NAME).write_text(data)
    before = (tmp_path / LOCK_NAME).stat().st_mtime_ns
    time.sleep(0.01)
    later = _entry("1", "2030-01-01T00:00:00Z")
    commit(Workspace.load(tmp_path), Change(set_units={"a#one": later}))
    assert (tmp_path / LOCK_NAME).read_text() == data
    assert (tmp_path / LOCK_NAME).stat().st_mtime_ns == before  # not even rewritten


def test_committing_nothing_to_a_root_without_a_lock_creates_none(tmp_path: Path) -> None:
    commit(Workspace.load(tmp_path), Change())
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_new_lock_gets_the_permissions_open_would_give_it(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        commit(Workspace.load(tmp_path), Change(set_units={"a#one": _entry("1")}))
    finally:
        os.umask(old)
    assert (tmp_path / LOCK_NAME).stat().st_mode & 0o777 == 0o644
