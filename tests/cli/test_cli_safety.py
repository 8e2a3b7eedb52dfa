"""Issue 9 as a user meets it: `specls` on hostile or damaged workspaces answers with
an exit code and a message with file and line, and leaves files byte-identical."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_example, edit, run_specls, tree_bytes, write_tree

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


# A `specls` that dies (os._exit: no cleanup runs, as with SIGKILL) at the N-th call
# of one step of the write: `replace` (a rename into place) or `_stage` (a temp file).
DYING_SPECLS = """
import os, sys
from specls.regen import transaction
step, at, calls = os.environ["DIE_IN"], int(os.environ["DIE_AT"]), []
real = os.replace if step == "replace" else transaction._stage
def dying(*args, **kwargs):
    calls.append(args)
    if len(calls) == at:
        os._exit(137)
    return real(*args, **kwargs)
if step == "replace":
    transaction.os.replace = dying
else:
    transaction._stage = dying
from specls.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _changed_shop(tmp_path: Path, name: str) -> Path:
    root = copy_example(tmp_path / name)
    edit(root, "specs/users.spec.md", "100_000", "200_000")  # users.py changes; auth is stale
    edit(root, "specs/catalog.spec.md", '"Mug ☕", 1250', '"Mug ☕", 1390')
    return root


@pytest.mark.parametrize(
    ("step", "at"), [("_stage", 1), ("_stage", 4), *[("replace", n) for n in range(1, 7)]]
)
def test_a_killed_regen_is_reported_truthfully_and_recovered_without_force(
    tmp_path: Path, step: str, at: int
) -> None:
    root = _changed_shop(tmp_path, "killed")
    proc = subprocess.run(
        [sys.executable, "-c", DYING_SPECLS, "regen", "--stale"],
        cwd=root,
        env={**os.environ, "DIE_IN": step, "DIE_AT": str(at), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 137, proc.stderr
    check = run_specls("check", "--format", "json", cwd=root)
    codes = {f["code"] for f in json.loads(check.stdout)}
    assert "SPEC202" not in codes  # nothing reads as edited by hand
    assert codes <= {"SPEC201"}  # stale (not yet rewritten) at most
    regen = run_specls("regen", "--stale", cwd=root)
    assert regen.returncode == 0, regen.stderr
    if step == "replace":
        assert "specls: recovered: rolled forward" in regen.stderr
    assert run_specls("check", cwd=root).returncode == 0
    # the same bytes as a regen that was never interrupted, lock timestamps aside
    clean = _changed_shop(tmp_path, "clean")
    assert run_specls("regen", "--stale", cwd=clean).returncode == 0
    # .specls/history/ (what was generated, for diffs) is a cache: a write killed after its
    # files and before the record has none, which is fine; nothing else may be left there
    got, want = (
        {p: b for p, b in tree_bytes(r).items() if not p.startswith(".specls/history/")}
        for r in (root, clean)
    )
    assert not [p for p in got if p.endswith(".specls-tmp") or p.startswith(".specls/")]
    lock_units = lambda tree: {  # noqa: E731
        ref: {k: v for k, v in unit.items() if k != "generated"}
        for ref, unit in json.loads(tree.pop("spec.lock"))["units"].items()
    }
    assert lock_units(got) == lock_units(want) and got == want


# --- always answer: exit codes and file:line, never a traceback or a hang -------------


def test_a_huge_integer_or_deep_nesting_in_the_lock_is_spec117_with_its_line(
    shop: Path,
) -> None:
    lock = shop / "spec.lock"
    good = lock.read_text()
    for bad, line in (
        (good.replace('"version": 1', '"version": ' + "9" * 5000), None),
        ('{\n  "version": 1,\n  "units":\n' + "[" * 100_000 + "\n}\n", 4),
    ):
        lock.write_text(bad)
        if line is None:
            line = next(i for i, t in enumerate(bad.splitlines(), 1) if "9999" in t)
        check = run_specls("check", cwd=shop)  # run_specls fails on any traceback
        assert check.returncode == 1 and f"spec.lock:{line}:1: error SPEC117" in check.stdout
        regen = run_specls("regen", "--all", cwd=shop)
        assert regen.returncode == 1 and f"spec.lock:{line}:" in regen.stderr
        assert lock.read_text() == bad  # never overwritten


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("[generators.a]\ncommand = []\n", 2, "command"),
        ('[generators.a]\ncommand = ["x"]\ntimeout = nan\n', 3, "timeout"),
        ("max_file_size = -1\n", 1, "max_file_size"),
    ],
)
def test_bad_config_values_exit_2_naming_their_line(
    tmp_path: Path, text: str, line: int, what: str
) -> None:
    write_tree(tmp_path, {"specls.toml": text, "a.spec.md": "# A\n"})
    proc = run_specls("check", cwd=tmp_path)
    assert proc.returncode == 2 and f"specls.toml:{line}: " in proc.stderr and what in proc.stderr


def test_tool_1_in_pyproject_exits_2_naming_its_line(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"pyproject.toml": '# top\n\n\ntool = 1\n[project]\nname = "x"\n', "a.spec.md": "# A\n"},
    )
    proc = run_specls("check", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2 and "pyproject.toml:4: tool must be a table" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_a_spec_does_not_hang_check(shop: Path) -> None:
    os.mkfifo(shop / "specs/x.spec.md")
    proc = run_specls("check", cwd=shop, timeout=30)
    assert proc.returncode == 1
    assert "specs/x.spec.md:1:1: error SPEC116 cannot read: not a regular file" in proc.stdout


def test_a_thousand_long_use_chain_answers(tmp_path: Path) -> None:
    sections = [f"## S{i} {{#s{i}}}\n[@use](#s{i + 1})\n" for i in range(999)]
    sections.append("## S999 {#s999}\ntext\n")
    write_tree(tmp_path, {"specls.toml": "", "chain.spec.md": "# Chain\n\n" + "\n".join(sections)})
    for command in ("check", "status", "graph"):
        proc = run_specls(command, cwd=tmp_path)
        assert proc.returncode == 0, (command, proc.stderr)


def test_an_empty_spec_lock_is_a_root_marker_and_an_empty_lock(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"a.spec.md": "# A\n## One {#one}\n[@generate](one.py)\n```py file=one.py\nx = 1\n```\n"},
    )
    (tmp_path / "spec.lock").touch()
    sub = tmp_path / "deeper"
    sub.mkdir()
    check = run_specls("check", cwd=sub)
    assert check.returncode == 0 and "SPEC117" not in check.stdout
    assert run_specls("regen", "--stale", cwd=sub).returncode == 0
    assert '"a.spec.md#one"' in (tmp_path / "spec.lock").read_text()


def test_status_shows_an_output_whose_lock_lags(shop: Path) -> None:
    edit(shop, "specs/catalog.spec.md", '"Mug ☕", 1250', '"Mug ☕", 1390')
    edit(shop, "src/shop/catalog.py", '"Mug ☕", 1250', '"Mug ☕", 1390')  # as regen would
    data = json.loads(run_specls("status", "--format", "json", cwd=shop).stdout)
    row = next(o for o in data["outputs"] if o["output"] == "src/shop/catalog.py")
    assert (row["status"], row.get("unlocked")) == ("fresh", True)
    table = run_specls("status", cwd=shop).stdout
    assert "fresh (lock lags)" in table
    assert run_specls("regen", "--stale", cwd=shop).returncode == 0
    data = json.loads(run_specls("status", "--format", "json", cwd=shop).stdout)
    assert not [o for o in data["outputs"] if o.get("unlocked") or o["status"] != "fresh"]
