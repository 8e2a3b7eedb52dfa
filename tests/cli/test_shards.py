"""Regeneration beyond one machine, simulated as docs/ci.md runs it: `specls
status --stale --format json --shards N` plans a matrix, each job regenerates
its share in its own clone and commits, and the join merges the branches with
the lock merge driver. The result equals one full regeneration."""

from __future__ import annotations

import json
import os
from pathlib import Path

from gitrepo import commit_all, git, init_repo
from helpers import edit, run_specls, tree_bytes

PROMO_PY = '''\
"""Promotions: hand-written around two generated functions."""


def code() -> str:
    return "TODO"


def rate() -> float:
    return 0.0
'''


def new_unit(name: str) -> str:
    return (
        f"# {name.title()}\n\n## {name.title()} {{#{name}}}\n[@generate](../src/shop/{name}.py)\n\n"
        f"```python file=../src/shop/{name}.py\n{name.upper()} = '{name} ✓'\n```\n"
    )


PROMO_SPEC = """\
# Promotions 🎁

## Codes {#codes}
[@generate](../src/shop/promo.py#code)

```python file=../src/shop/promo.py#code
def code() -> str:
    return "WELCOME"
```

## Rates {#rates}
[@generate](../src/shop/promo.py#rate)

```python file=../src/shop/promo.py#rate
def rate() -> float:
    return 0.1
```
"""


def make_work(root: Path) -> None:
    """Stale, ungenerated and file-sharing units, as after a large spec change."""
    edit(root, "specs/users.spec.md", "A user has a login", "A user has a unique login")
    edit(root, "specs/catalog.spec.md", '"Mug ☕", 1250', '"Mug ☕", 990')
    edit(root, "specs/cart.spec.md", "exact to\nthe cent", "exact to the cent")
    for name in ("badges", "banners", "coupons", "gifts"):
        (root / f"specs/{name}.spec.md").write_text(new_unit(name), encoding="utf-8")
    (root / "specs/promo.spec.md").write_text(PROMO_SPEC, encoding="utf-8")
    (root / "src/shop/promo.py").write_text(PROMO_PY, encoding="utf-8")


def plan(root: Path, shards: int) -> dict[str, list]:
    proc = run_specls("status", "--stale", "--format", "json", "--shards", str(shards), cwd=root)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return {"units": data["units"], "shards": data["shards"]}


def without_timestamps(lock_text: str) -> dict[str, dict]:
    units = json.loads(lock_text)["units"]
    for entry in units.values():
        assert entry.pop("generated")
    return units


def test_the_plan_lists_the_stale_units_in_balanced_shares(shop: Path) -> None:
    assert plan(shop, 3) == {"units": [], "shards": []}
    make_work(shop)
    data = plan(shop, 3)
    assert data["units"] == sorted(
        [
            "specs/auth.spec.md#login",  # @uses the user model
            "specs/badges.spec.md#badges",
            "specs/banners.spec.md#banners",
            "specs/cart.spec.md#cart",
            "specs/catalog.spec.md#product",
            "specs/coupons.spec.md#coupons",
            "specs/gifts.spec.md#gifts",
            "specs/promo.spec.md#codes",
            "specs/promo.spec.md#rates",
            "specs/users.spec.md#user-model",
        ]
    )
    shards = data["shards"]
    assert sorted(len(s) for s in shards) == [3, 3, 4]
    assert sorted(u for s in shards for u in s) == data["units"]
    # the two units that write symbols of promo.py are never split
    assert any({"specs/promo.spec.md#codes", "specs/promo.spec.md#rates"} <= set(s) for s in shards)
    assert len(plan(shop, 20)["shards"]) == 9  # 10 units, one pair: never an empty shard
    assert plan(shop, 1)["shards"] == [data["units"]]
    bad = run_specls("status", "--stale", "--shards", "0", cwd=shop)
    assert bad.returncode == 2 and "--shards needs a positive number" in bad.stderr


def test_sharded_regeneration_merged_with_the_driver_equals_a_full_one(
    shop: Path, tmp_path: Path
) -> None:
    make_work(shop)
    init_repo(shop, merge_driver=True)
    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", str(shop), str(full))
    # promo.py's two placeholder functions have no lock entry: replacing hand-written code
    # takes --force (and leaves a backup), in the full run and in every shard alike
    assert run_specls("regen", "--stale", "--force", cwd=full).returncode == 0

    shards = plan(shop, 3)["shards"]
    assert len(shards) == 3
    for k, units in enumerate(shards):  # each matrix job: its own checkout, its share
        job = tmp_path / f"job{k}"
        git(tmp_path, "clone", "-q", str(shop), str(job))
        git(job, "checkout", "-q", "-b", f"regen-{k}")
        proc = run_specls("regen", "--force", *units, cwd=job)
        assert proc.returncode == 0, proc.stderr
        assert (
            sorted(
                line.split(":")[0].removeprefix("regenerated ") for line in proc.stdout.splitlines()
            )
            == units
        )
        commit_all(job, f"regenerate shard {k}")
    for k in range(len(shards)):  # the join
        git(shop, "fetch", "-q", str(tmp_path / f"job{k}"), f"regen-{k}")
        merged = git(shop, "merge", "--no-edit", "FETCH_HEAD", check=False)
        assert merged.returncode == 0, merged.stdout + merged.stderr

    joined, alone = tree_bytes(shop), tree_bytes(full)
    for tree in (joined, alone):
        # .specls/ holds each run's backups (local, never committed), .git/ the history
        for name in [n for n in tree if n.startswith((".git/", ".specls/")) or n == "spec.lock"]:
            del tree[name]
    assert joined == alone  # every output (and spec) byte-identical
    lock_joined = (shop / "spec.lock").read_text(encoding="utf-8")
    lock_alone = (full / "spec.lock").read_text(encoding="utf-8")
    assert '"conflicts"' not in lock_joined
    assert without_timestamps(lock_joined) == without_timestamps(lock_alone)
    assert len(json.loads(lock_joined)["units"]) == 11  # 5 before, 6 new
    assert run_specls("check", cwd=shop).returncode == 0
    assert git(shop, "status", "--porcelain").stdout == ""
    assert os.listdir(shop / "src/shop") == os.listdir(full / "src/shop")
