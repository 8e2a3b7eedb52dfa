"""Files specls keeps under `.specls` (backups, diffs) are never written through a
symlink a cloned repository planted (issue 9): `fsutil.create_private_file`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import regen, tree_bytes, write_tree
from specls.fsutil import UnsafePathError, create_private_file
from specls.regen.engine import back_up


def test_it_creates_the_directories_and_a_private_file(tmp_path: Path) -> None:
    path = create_private_file(tmp_path, ".specls/diff/a b ☕.diff", b"--- x\n")
    assert path == tmp_path / ".specls/diff/a b ☕.diff" and path.read_bytes() == b"--- x\n"
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_existing_file_is_refused_unless_replacing(tmp_path: Path) -> None:
    create_private_file(tmp_path, ".specls/diff/x.diff", b"one")
    with pytest.raises(UnsafePathError, match="already exists"):
        create_private_file(tmp_path, ".specls/diff/x.diff", b"two")
    create_private_file(tmp_path, ".specls/diff/x.diff", b"two", replace=True)
    assert (tmp_path / ".specls/diff/x.diff").read_bytes() == b"two"
    assert sorted(os.listdir(tmp_path / ".specls/diff")) == ["x.diff"]  # no temp left


def test_a_specls_symlink_to_outside_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / ".specls")
    with pytest.raises(UnsafePathError, match=r"\.specls is a symlink"):
        create_private_file(root, ".specls/backup/t/src/a.py", b"secret")
    assert list(outside.iterdir()) == []


def test_a_symlinked_diff_file_is_replaced_not_followed(tmp_path: Path) -> None:
    root, victim = tmp_path / "root", tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    (root / ".specls/diff").mkdir(parents=True)
    os.symlink(victim, root / ".specls/diff/x.diff")
    with pytest.raises(UnsafePathError, match="already exists"):
        create_private_file(root, ".specls/diff/x.diff", b"evil")
    create_private_file(root, ".specls/diff/x.diff", b"diff", replace=True)
    assert victim.read_bytes() == b"precious\n"
    assert not (root / ".specls/diff/x.diff").is_symlink()
    assert (root / ".specls/diff/x.diff").read_bytes() == b"diff"


def test_a_symlinked_directory_deeper_down_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / ".specls").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, root / ".specls/backup")
    with pytest.raises(UnsafePathError, match=r"\.specls/backup is a symlink"):
        create_private_file(root, ".specls/backup/t/a.py", b"x")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("rel", ["../x", "/etc/passwd", "", "a/../../x"])
def test_paths_that_leave_the_root_are_refused(tmp_path: Path, rel: str) -> None:
    with pytest.raises(UnsafePathError):
        create_private_file(tmp_path, rel, b"x")


def test_back_up_refuses_a_planted_specls_symlink_and_force_writes_nothing(
    tmp_path: Path,
) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    write_tree(
        root,
        {"a.spec.md": "# A\n## One {#one}\n[@generate](one.py)\n```py file=one.py\nx = 1\n```\n"},
    )
    assert regen(root).ok
    (root / "one.py").write_text("x = 2  # edited by hand\n")
    shutil.rmtree(root / ".specls")  # the history the regen recorded: planted over below
    os.symlink(outside, root / ".specls")
    with pytest.raises(UnsafePathError):
        back_up(root, ["one.py"])
    before = tree_bytes(root)
    with pytest.raises(UnsafePathError):
        regen(root, force=True)
    assert tree_bytes(root) == before and list(outside.iterdir()) == []


def test_the_portable_fallback_refuses_the_same_symlinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "supports_dir_fd", set())  # as on Windows
    for name in ("one", "two", "three"):
        (tmp_path / name).mkdir()
    test_a_specls_symlink_to_outside_is_refused(tmp_path / "one")
    test_a_symlinked_diff_file_is_replaced_not_followed(tmp_path / "two")
    test_a_symlinked_directory_deeper_down_is_refused(tmp_path / "three")
