"""Issue 9 as a user meets it: `specls` on hostile or damaged workspaces answers with
an exit code and a message with file and line, and leaves files byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import edit, run_specls, tree_bytes, write_tree

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


def test_renaming_a_heading_keeps_its_lock_entry(shop: Path) -> None:
    edit(shop, "specs/cart.spec.md", "## Cart model {#cart}", "## Cart model {#basket}")
    check = run_specls("check", "--format", "json", cwd=shop)
    codes = [f["code"] for f in json.loads(check.stdout)]
    assert "SPEC205" not in codes and "SPEC204" not in codes  # not orphaned, not ungenerated
    prune = run_specls("stamp", "--prune", cwd=shop)
    assert prune.returncode == 0 and "pruned 0 orphan(s)" in prune.stdout
    proc = run_specls("regen", "--stale", cwd=shop)
    assert proc.returncode == 0, proc.stderr
    units = json.loads((shop / "spec.lock").read_text())["units"]
    assert "specs/cart.spec.md#basket" in units and "specs/cart.spec.md#cart" not in units
    assert run_specls("check", cwd=shop).returncode == 0


def test_regen_refuses_to_overwrite_a_hand_written_file(shop: Path) -> None:
    edit(
        shop,
        "specs/cart.spec.md",
        "## Cart model {#cart}",
        "## Cart model {#cart}\n[@generate](../src/shop/notes.py)\n\n"
        "```python file=../src/shop/notes.py\nNOTES = 'generated'\n```\n",
    )
    (shop / "src/shop/notes.py").write_text("# my notes, never generated\n")
    before = tree_bytes(shop)
    proc = run_specls("regen", "specs/cart.spec.md#cart", cwd=shop)
    assert proc.returncode == 1
    assert (
        "refused specs/cart.spec.md#cart: SPEC305 src/shop/notes.py exists, has no lock entry"
        " and differs from what would be written" in proc.stderr
    )
    assert tree_bytes(shop) == before
    forced = run_specls("regen", "--force", "specs/cart.spec.md#cart", cwd=shop)
    assert forced.returncode == 0, forced.stderr
    (backup,) = (shop / ".specls/backup").glob("*/src/shop/notes.py")
    assert backup.read_text() == "# my notes, never generated\n"
