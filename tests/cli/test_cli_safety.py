"""Issue 9 as a user meets it: `specls` on hostile or damaged workspaces answers with
an exit code and a message with file and line, and leaves files byte-identical."""

from __future__ import annotations

from pathlib import Path

from helpers import run_specls, tree_bytes, write_tree

EVIL = """
    # Evil

    ## Hook {#hook}
    [@generate](../.git/config)

    ```ini file=../.git/config
    [core]
    \tfsmonitor = touch pwned
    ```
    """


def test_a_spec_cannot_write_into_git(shop: Path) -> None:
    write_tree(shop, {"specs/evil.spec.md": EVIL, ".git/config": "[core]\n"})
    before = tree_bytes(shop)
    check = run_specls("check", cwd=shop)
    assert check.returncode == 1
    assert "specs/evil.spec.md:4:13: error SPEC119 .git/config is inside .git" in check.stdout
    regen = run_specls("regen", "--all", "--force", cwd=shop)
    assert regen.returncode == 1
    assert "failed specs/evil.spec.md#hook: SPEC119 .git/config is inside .git" in regen.stderr
    assert "nothing was written" in regen.stderr
    assert tree_bytes(shop) == before


def test_regen_force_refuses_a_planted_specls_symlink(shop: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (shop / "src/shop/users.py").write_text("# edited by hand\n")
    (shop / ".specls").symlink_to(outside)
    before = tree_bytes(shop)
    proc = run_specls("regen", "--force", "specs/users.spec.md#user-model", cwd=shop)
    assert proc.returncode == 1
    assert "refusing to write .specls/backup/" in proc.stderr and ".specls is a symlink" in (
        proc.stderr
    )
    assert "nothing was written" in proc.stderr
    assert tree_bytes(shop) == before and list(outside.iterdir()) == []
