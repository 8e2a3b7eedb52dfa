"""`specls lock merge` as a git merge driver, through real `git merge`s of two
branches of a copy of examples/shop: disjoint units merge cleanly into a lock
true to the merged tree; the same unit changed on both sides is recorded in
a valid lock and reported by `specls check` on that unit."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from gitrepo import commit_all, git, init_repo
from helpers import edit, run_specls

USERS = "specs/users.spec.md"
CATALOG = "specs/catalog.spec.md"
PRODUCT = "specs/catalog.spec.md#product"
MUG = '"mug": Product("mug", "Mug ☕", 1250),'
CHEAP_MUG = '"mug": Product("mug", "Mug ☕", 990),'


def statuses(root: Path) -> dict[str, str]:
    data = json.loads(run_specls("status", "--format", "json", cwd=root).stdout)
    return {o["output"]: o["status"] for o in data["outputs"]}


def new_spec(name: str) -> str:
    return (
        f"# {name.title()}\n\n## {name.title()} model {{#{name}}}\n"
        f"[@generate](../src/shop/{name}.py)\n\n"
        f"```python file=../src/shop/{name}.py\n{name.upper()} = ['ünïcode']\n```\n"
    )


def branch_edit_regen(
    root: Path, branch: str, rel: str, old: str, new: str, add: str | None = None
) -> None:
    git(root, "checkout", "-q", "-b", branch, "main")
    edit(root, rel, old, new)
    if add is not None:
        (root / f"specs/{add}.spec.md").write_text(new_spec(add), encoding="utf-8")
    proc = run_specls("regen", "--stale", cwd=root)
    assert proc.returncode == 0, proc.stderr
    commit_all(root, f"{branch}: regenerate")


def lock_at(root: Path, rev: str) -> str:
    return git(root, "show", f"{rev}:spec.lock").stdout


def test_branches_that_regenerated_different_units_merge_cleanly(shop: Path) -> None:
    init_repo(shop, merge_driver=True)
    # users (and auth#login, which uses it) and a new unit on one branch; catalog (and
    # cart, which uses it) and another new unit on the other. The new units sort next
    # to each other in the lock, so a textual merge conflicts.
    branch_edit_regen(
        shop, "users", USERS, "A user has a login", "A user has a unique login", add="badges"
    )
    branch_edit_regen(shop, "catalog", CATALOG, MUG, CHEAP_MUG, add="banners")
    # the same three versions merged as text conflict: the driver is what makes this clean
    base, ours, theirs = (shop / n for n in ("base.lock", "ours.lock", "theirs.lock"))
    base.write_text(lock_at(shop, "main"), encoding="utf-8")
    ours.write_text(lock_at(shop, "catalog"), encoding="utf-8")
    theirs.write_text(lock_at(shop, "users"), encoding="utf-8")
    textual = subprocess.run(["git", "merge-file", "-p", ours, base, theirs], capture_output=True)
    assert textual.returncode > 0 and b"<<<<<<<" in textual.stdout
    for p in (base, ours, theirs):
        p.unlink()

    merged = git(shop, "merge", "--no-edit", "users")
    assert "CONFLICT" not in merged.stdout
    lock = json.loads((shop / "spec.lock").read_text(encoding="utf-8"))
    assert "conflicts" not in lock
    users_lock = json.loads(lock_at(shop, "users"))["units"]
    catalog_lock = json.loads(lock_at(shop, "catalog"))["units"]
    main_lock = json.loads(lock_at(shop, "main"))["units"]
    for ref in ("specs/users.spec.md#user-model", "specs/auth.spec.md#login"):
        assert lock["units"][ref] == users_lock[ref] != main_lock[ref]
    assert lock["units"][PRODUCT] == catalog_lock[PRODUCT] != main_lock[PRODUCT]
    assert lock["units"]["specs/badges.spec.md#badges"] == users_lock["specs/badges.spec.md#badges"]
    banners = "specs/banners.spec.md#banners"
    assert lock["units"][banners] == catalog_lock[banners]
    assert len(lock["units"]) == len(main_lock) + 2
    for ref in ("specs/auth.spec.md#app", "specs/cart.spec.md#cart"):
        assert lock["units"][ref] == main_lock[ref]
    # true to the merged tree: every output fresh, nothing to report
    assert set(statuses(shop).values()) == {"fresh"}
    assert run_specls("check", cwd=shop).returncode == 0
    assert git(shop, "status", "--porcelain").stdout == ""


def test_the_same_unit_changed_on_both_sides_is_a_conflict_check_reports(shop: Path) -> None:
    init_repo(shop, merge_driver=True)
    branch_edit_regen(shop, "cheap", CATALOG, MUG, CHEAP_MUG)
    branch_edit_regen(shop, "skus", CATALOG, "a stable SKU", "a stable, unique SKU")
    ours_lock = lock_at(shop, "skus")

    merged = git(shop, "merge", "--no-edit", "cheap", check=False)
    assert merged.returncode == 1
    assert "CONFLICT (content): Merge conflict in spec.lock" in merged.stdout
    assert f"1 unit(s) changed differently on both sides: {PRODUCT}" in merged.stderr
    text = (shop / "spec.lock").read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    lock = json.loads(text)  # never a torn file
    side = json.loads(ours_lock)["units"][PRODUCT]
    theirs = json.loads(lock_at(shop, "cheap"))["units"][PRODUCT]
    base = json.loads(lock_at(shop, "main"))["units"][PRODUCT]
    assert lock["conflicts"] == {PRODUCT: {"base": base, "ours": side, "theirs": theirs}}
    assert lock["units"][PRODUCT] == side
    # the spec and the output merged as text (different lines); the lock is the conflict
    assert "unique SKU" in (shop / CATALOG).read_text(encoding="utf-8")
    assert "990" in (shop / CATALOG).read_text(encoding="utf-8")

    check = run_specls("check", "--format", "json", cwd=shop)
    assert check.returncode == 1
    found = [f for f in json.loads(check.stdout) if f["code"] == "SPEC208"]
    assert [(f["path"], f["range"]["start"]["line"], f["unit"], f["severity"]) for f in found] == [
        (CATALOG, 4, PRODUCT, "error")
    ]
    assert "changed differently on both sides" in found[0]["message"]

    # resolving: regenerate the unit from the merged spec; the conflict entry goes
    regen = run_specls("regen", "--force", PRODUCT, cwd=shop)
    assert regen.returncode == 0, regen.stderr
    resolved = json.loads((shop / "spec.lock").read_text(encoding="utf-8"))
    assert "conflicts" not in resolved
    assert run_specls("check", cwd=shop).returncode == 0
    assert CHEAP_MUG in (shop / "src/shop/catalog.py").read_text(encoding="utf-8")
    git(shop, "add", "spec.lock")
    git(shop, "commit", "-q", "--no-edit")


def test_an_unreadable_side_leaves_ours_as_it_was(shop: Path) -> None:
    ours = shop / "ours.lock"
    original = (shop / "spec.lock").read_bytes()
    ours.write_bytes(original)
    (shop / "base.lock").write_bytes(original)
    (shop / "theirs.lock").write_text('{"version": 1,\n "units": [}\n', encoding="utf-8")
    proc = run_specls(
        "lock", "merge", "base.lock", "ours.lock", "theirs.lock", "spec.lock", cwd=shop
    )
    assert proc.returncode == 2
    assert "cannot merge spec.lock: spec.lock (theirs):2: invalid JSON" in proc.stderr
    assert ours.read_bytes() == original


def test_a_lock_added_on_both_sides_merges_from_an_empty_base(shop: Path) -> None:
    lock = json.loads((shop / "spec.lock").read_text(encoding="utf-8"))
    units = sorted(lock["units"])
    half = {"version": 1, "units": {r: lock["units"][r] for r in units[:2]}}
    rest = {"version": 1, "units": {r: lock["units"][r] for r in units[2:]}}
    (shop / "base.lock").write_bytes(b"")
    (shop / "ours.lock").write_text(json.dumps(half), encoding="utf-8")
    (shop / "theirs.lock").write_text(json.dumps(rest), encoding="utf-8")
    proc = run_specls("lock", "merge", "base.lock", "ours.lock", "theirs.lock", cwd=shop)
    assert proc.returncode == 0, proc.stderr
    assert (shop / "ours.lock").read_bytes() == (shop / "spec.lock").read_bytes()
