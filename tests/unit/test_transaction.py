"""specls.regen.transaction: all files change or none do; nothing outside the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import tree_bytes, write_tree
from specls.regen import transaction
from specls.regen.transaction import TransactionError, apply_files


def test_all_files_are_written(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "old a\n"})
    apply_files(tmp_path, {"a.py": b"new a\n", "sub/dir/b.py": b"new b\n"})
    assert tree_bytes(tmp_path) == {"a.py": b"new a\n", "sub/dir/b.py": b"new b\n"}


def test_a_failed_rename_puts_back_the_files_already_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a.py": "old a\n", "b.py": "old b\n"})
    before = tree_bytes(tmp_path)
    real_replace = os.replace
    calls = []

    def failing_replace(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == 3:  # a.py, new.py, then b.py fails
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(transaction.os, "replace", failing_replace)
    with pytest.raises(TransactionError, match="No space left"):
        apply_files(tmp_path, {"a.py": b"new a\n", "new.py": b"new\n", "b.py": b"new b\n"})
    monkeypatch.undo()
    assert tree_bytes(tmp_path) == before  # a.py restored, new.py removed, no temp files


def test_paths_outside_the_root_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    outside.mkdir()
    write_tree(root, {"a.py": "old\n"})
    os.symlink(outside, root / "link")
    for rel in ("link/x.py", "../escape.py"):
        with pytest.raises(TransactionError, match="outside the workspace"):
            apply_files(root, {"a.py": b"new\n", rel: b"x\n"})
    assert (root / "a.py").read_text() == "old\n"
    assert list(outside.iterdir()) == [] and not (tmp_path / "escape.py").exists()
