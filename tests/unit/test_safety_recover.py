"""Crash safety (issue 9): a transaction killed at any point is finished or undone by
`transaction.recover`, and no temp file of specls's naming scheme is left behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import tree_bytes, write_tree
from specls.lock import LOCK_NAME
from specls.regen import transaction
from specls.regen.transaction import TXN_DIR, apply_files, recover

OLD = {"a.py": "old a\n", "sub/b.py": "old b\n", LOCK_NAME: '{"version": 1, "units": {}}\n'}
NEW_FILES = {"a.py": b"new a\n", "sub/b.py": b"new b\n", "sub/c.py": b"new c\n"}
NEW_LOCK = b'{"units": {"x": 1}, "version": 1}\n'
NEW = {**NEW_FILES, LOCK_NAME: NEW_LOCK}


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause or finally cleans up."""


def crash_at(monkeypatch: pytest.MonkeyPatch, name: str, at: int) -> None:
    """Make the `at`-th call (1-based) of `transaction.<name>` kill the 'process'."""
    real = getattr(transaction.os, name) if name == "replace" else getattr(transaction, name)
    calls = []

    def dying(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) == at:
            raise Killed
        return real(*args, **kwargs)

    if name == "replace":
        monkeypatch.setattr(transaction.os, "replace", dying)
    else:
        monkeypatch.setattr(transaction, name, dying)


DEAD = 2**22 + 12345  # above the default pid_max: no such process


def die(root: Path) -> None:
    """The writer is gone: its records now name a dead process (a live one is left alone)."""
    for record in (root / TXN_DIR).glob("*.json"):
        data = json.loads(record.read_text())
        record.write_text(json.dumps({**data, "pid": DEAD}))


def expected(files: dict[str, bytes | str]) -> dict[str, bytes]:
    return {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}


@pytest.mark.parametrize("at", [1, 2, 3, 4])
def test_killed_after_staging_rolls_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    write_tree(tmp_path, OLD)
    crash_at(monkeypatch, "replace", at)  # 1st..4th rename: a.py, b.py, c.py, spec.lock
    with pytest.raises(Killed):
        apply_files(tmp_path, NEW_FILES, lock=NEW_LOCK)
    monkeypatch.undo()
    assert list((tmp_path / TXN_DIR).glob("*.json"))  # the intent record survived the crash
    assert recover(tmp_path) == []  # its writer (this process) is alive: not touched
    die(tmp_path)
    done = recover(tmp_path)
    assert done and all(line.startswith("rolled forward") for line in done)
    assert len(done) == 4 - at + 1
    assert tree_bytes(tmp_path) == expected(NEW)  # no record, no temp file left
    assert recover(tmp_path) == []


@pytest.mark.parametrize("at", [1, 2, 3, 4])
def test_killed_while_staging_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    write_tree(tmp_path, OLD)
    before = tree_bytes(tmp_path)
    crash_at(monkeypatch, "_stage", at)
    with pytest.raises(Killed):
        apply_files(tmp_path, NEW_FILES, lock=NEW_LOCK)
    monkeypatch.undo()
    die(tmp_path)
    recover(tmp_path)
    assert tree_bytes(tmp_path) == before


def test_a_target_edited_after_the_crash_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, OLD)
    crash_at(monkeypatch, "replace", 1)
    with pytest.raises(Killed):
        apply_files(tmp_path, NEW_FILES, lock=NEW_LOCK)
    monkeypatch.undo()
    die(tmp_path)
    (tmp_path / "a.py").write_text("edited after the crash\n")
    done = recover(tmp_path)
    assert "left a.py: it changed since the interrupted write; not rolled forward" in done
    tree = tree_bytes(tmp_path)
    assert tree["a.py"] == b"edited after the crash\n" and tree["sub/c.py"] == b"new c\n"
    assert not [k for k in tree if k.endswith(".specls-tmp")]


def test_the_next_apply_files_recovers_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, OLD)
    crash_at(monkeypatch, "replace", 2)
    with pytest.raises(Killed):
        apply_files(tmp_path, NEW_FILES, lock=NEW_LOCK)
    monkeypatch.undo()
    die(tmp_path)
    done = apply_files(tmp_path, {"d.py": b"d\n"})
    assert "rolled forward spec.lock" in done
    assert tree_bytes(tmp_path) == expected({**NEW, "d.py": b"d\n"})


def test_stray_temp_files_of_our_scheme_only_are_removed(tmp_path: Path) -> None:
    dead = DEAD
    write_tree(
        tmp_path,
        {
            f"src/.a.py.1700000000-{dead}.specls-tmp": "x",
            "src/.b.py.abcd_123.specls-tmp": "x",  # mkstemp's 8 characters (old specls)
            "src/.c.py.keepme.specls-tmp.bak": "x",
            "src/notes.specls-tmp": "x",
            f"src/.d.py.1700000000-{os.getpid()}.specls-tmp": "x",  # a live writer's
        },
    )
    old = tmp_path / "src/.b.py.abcd_123.specls-tmp"
    os.utime(old, (0, 0))
    done = recover(tmp_path)
    assert sorted(done) == [
        f"removed stray src/.a.py.1700000000-{dead}.specls-tmp",
        "removed stray src/.b.py.abcd_123.specls-tmp",
    ]
    assert sorted(tree_bytes(tmp_path)) == [
        "src/.c.py.keepme.specls-tmp.bak",
        f"src/.d.py.1700000000-{os.getpid()}.specls-tmp",
        "src/notes.specls-tmp",
    ]


def test_a_hostile_record_cannot_make_recovery_touch_other_paths(tmp_path: Path) -> None:
    write_tree(tmp_path, {"keep.py": "keep\n", "outside-ish.py": "x\n"})
    record = {
        "id": "1-1",
        "pid": 2**22 + 1,
        "phase": "staged",
        "files": [
            {"path": "../escape.py", "tmp": ".x.1-1.specls-tmp", "old": None, "new": "sha256:0"},
            {"path": "keep.py", "tmp": "keep.py", "old": None, "new": "sha256:0"},
            "junk",
        ],
    }
    write_tree(tmp_path, {f"{TXN_DIR}/1-1.json": json.dumps(record)})
    done = recover(tmp_path)
    assert done.count("ignored a malformed entry in transaction 1-1") == 2
    assert tree_bytes(tmp_path) == {"keep.py": b"keep\n", "outside-ish.py": b"x\n"}
    assert not (tmp_path.parent / "escape.py").exists()
