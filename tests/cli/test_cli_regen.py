"""`specls regen` and `specls stamp` as subprocesses on copies of examples/shop:
regeneration, refusal of hand-edited outputs, backups, failures that leave
every file as it was, and a corrupt lock that is never overwritten."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from helpers import edit, run_specls, tree_bytes

USERS = "specs/users.spec.md"
CATALOG = "specs/catalog.spec.md"
CART_PY = "src/shop/cart.py"


def statuses(root: Path) -> dict[str, str]:
    data = json.loads(run_specls("status", "--format", "json", cwd=root).stdout)
    return {o["output"]: o["status"] for o in data["outputs"]}


def make_stale(root: Path) -> None:
    """Two independent units stale: users (and auth, which uses it) and catalog."""
    edit(root, USERS, "A user has a login", "A user has a unique login")
    edit(root, CATALOG, "A product has a stable SKU", "A product has a stable, unique SKU")


def test_regen_stale_makes_the_workspace_clean_again(shop: Path) -> None:
    make_stale(shop)
    edit(
        shop,
        CATALOG,
        '"mug": Product("mug", "Mug ☕", 1250),',
        '"mug": Product("mug", "Mug", 990),',
    )
    assert run_specls("check", cwd=shop).returncode == 1
    dry = run_specls("regen", "--stale", "--dry-run", cwd=shop)
    assert dry.returncode == 0
    assert "would write src/shop/catalog.py (specs/catalog.spec.md#product)" in dry.stdout
    assert "Mug ☕" in (shop / "src/shop/catalog.py").read_text()  # dry run wrote nothing
    proc = run_specls("regen", "--stale", cwd=shop)
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == [
        "regenerated specs/auth.spec.md#login: src/shop/app.py, src/shop/auth.py",
        "regenerated specs/catalog.spec.md#product: src/shop/catalog.py, tests/test_catalog.py",
        "regenerated specs/users.spec.md#user-model: src/shop/users.py",
    ]
    assert '"mug": Product("mug", "Mug", 990),' in (shop / "src/shop/catalog.py").read_text()
    assert run_specls("check", cwd=shop).returncode == 0
    assert set(statuses(shop).values()) == {"fresh"}
    assert run_specls("regen", "--stale", cwd=shop).stdout == "specls: nothing to regenerate\n"
    assert not (shop / ".specls" / "backup").exists()  # nothing was edited, nothing backed up


def test_regen_keeps_the_hand_written_rest_of_a_file(shop: Path) -> None:
    app = shop / "src/shop/app.py"
    before = app.read_text()
    edit(
        shop, "specs/auth.spec.md", "token = secrets.token_hex(16)", "token = secrets.token_hex(32)"
    )
    assert run_specls("regen", "specs/auth.spec.md#login", cwd=shop).returncode == 0
    after = app.read_text()
    assert after == before.replace("token_hex(16)", "token_hex(32)")


def test_regen_by_id_and_by_spec_path(shop: Path) -> None:
    make_stale(shop)
    assert run_specls("regen", "user-model", cwd=shop).returncode == 0
    assert run_specls("regen", "./specs/catalog.spec.md", cwd=shop).returncode == 0
    assert run_specls("regen", "#login", cwd=shop).returncode == 0
    assert set(statuses(shop).values()) == {"fresh"}
    unknown = run_specls("regen", "nope", cwd=shop)
    assert unknown.returncode == 2 and "no generation unit matches: nope" in unknown.stderr
    assert run_specls("regen", cwd=shop).returncode == 2  # nothing named


def test_a_hand_edited_output_is_edited_and_regen_refuses_it(shop: Path) -> None:
    cart = shop / CART_PY
    cart.write_text(cart.read_text() + "\n# patched by hand\n")
    assert statuses(shop)[CART_PY] == "edited"
    check = run_specls("check", "--format", "json", cwd=shop)
    assert [f["code"] for f in json.loads(check.stdout)] == ["SPEC202"]
    before = tree_bytes(shop)
    for args in (["--stale"], ["--all"], ["specs/cart.spec.md#cart"]):
        proc = run_specls("regen", *args, cwd=shop)
        assert proc.returncode == 1, args
        assert (
            "refused specs/cart.spec.md#cart: SPEC305 src/shop/cart.py edited by hand"
            in proc.stderr
        )
        assert "nothing was written" in proc.stderr
        assert tree_bytes(shop) == before


def test_regen_force_overwrites_and_keeps_a_backup(shop: Path) -> None:
    cart = shop / CART_PY
    generated = cart.read_bytes()
    patched = generated + b"\n# patched by hand\n"
    cart.write_bytes(patched)
    proc = run_specls("regen", "--force", "specs/cart.spec.md#cart", cwd=shop)
    assert proc.returncode == 0, proc.stderr
    assert cart.read_bytes() == generated
    backups = list((shop / ".specls" / "backup").glob("*/src/shop/cart.py"))
    assert [b.read_bytes() for b in backups] == [patched]
    assert statuses(shop)[CART_PY] == "fresh"


def test_a_unit_missing_its_code_block_fails_and_nothing_is_written(shop: Path) -> None:
    make_stale(shop)
    edit(shop, "specs/cart.spec.md", "[@generate](../src/shop/cart.py)",
         "[@generate](../src/shop/cart.py) [@generate](../src/shop/discounts.py)")  # fmt: skip
    before = tree_bytes(shop)
    proc = run_specls("regen", "--stale", cwd=shop)
    assert proc.returncode == 1
    assert (
        "failed specs/cart.spec.md#cart: SPEC306 no code for src/shop/discounts.py" in proc.stderr
    )
    assert "nothing was written" in proc.stderr
    assert tree_bytes(shop) == before


def add_generator(root: Path, name: str, body: str, spec: str = USERS, **options: str) -> None:
    """An external generator running `python -c body`, used by `spec` through front matter."""
    extra = "".join(f"{k} = {v}\n" for k, v in options.items())
    with (root / "specls.toml").open("a") as f:
        f.write(f"\n[generators.{name}]\ncommand = {json.dumps([sys.executable, '-c', body])}\n")
        f.write(extra)
    path = root / spec
    path.write_text(f"---\ngenerator: {name}\n---\n" + path.read_text())


def test_a_failing_external_generator_leaves_every_file_as_it_was(shop: Path) -> None:
    add_generator(
        shop,
        "broken",
        "import pathlib, sys\n"
        "pathlib.Path('src/shop/users.py').write_text('half written')\n"
        "print('model overloaded', file=sys.stderr)\n"
        "sys.exit(1)\n",
    )
    make_stale(shop)
    before = tree_bytes(shop)
    proc = run_specls("regen", "--stale", cwd=shop)
    assert proc.returncode == 1
    assert (
        "failed specs/users.spec.md#user-model: SPEC301 generator 'broken' failed (exit 1):"
        " model overloaded" in proc.stderr
    )
    assert tree_bytes(shop) == before


def test_a_generator_that_times_out_is_killed_and_nothing_is_written(shop: Path) -> None:
    add_generator(shop, "slow", "import time\ntime.sleep(60)\n", timeout="1")
    make_stale(shop)
    before = tree_bytes(shop)
    started = time.monotonic()
    proc = run_specls("regen", "--stale", cwd=shop)
    assert time.monotonic() - started < 30
    assert proc.returncode == 1
    assert "SPEC302 generator 'slow' timed out after 1s" in proc.stderr
    assert tree_bytes(shop) == before


def test_an_external_markdown_generator_writes_its_outputs(shop: Path) -> None:
    code = "X = 'from the agent'\n"
    body = (
        "import json, sys\n"
        "prompt = json.load(sys.stdin)\n"
        "assert prompt['unit'] == 'specs/users.spec.md#user-model', prompt\n"
        f"print('Here you go:\\n```python file=../src/shop/users.py\\n' + {code!r} + '```')\n"
    )
    add_generator(shop, "agent", body, output='"markdown"')
    proc = run_specls("regen", "--all", "--force", cwd=shop)
    assert proc.returncode == 0, proc.stderr
    assert (shop / "src/shop/users.py").read_text() == code
    assert set(statuses(shop).values()) == {"fresh"}
    lock = json.loads((shop / "spec.lock").read_text())
    assert lock["units"]["specs/users.spec.md#user-model"]["generator"] == "agent"


def test_stamp_accepts_a_hand_edit(shop: Path) -> None:
    cart = shop / CART_PY
    cart.write_text(cart.read_text() + "\n# accepted\n")
    assert run_specls("stamp", cwd=shop).returncode == 2  # nothing named
    proc = run_specls("stamp", "specs/cart.spec.md#cart", cwd=shop)
    assert proc.returncode == 0 and proc.stdout == "stamped specs/cart.spec.md#cart\n"
    assert statuses(shop)[CART_PY] == "fresh"
    assert run_specls("check", cwd=shop).returncode == 0


def test_stamp_all_includes_describe_only_sections(shop: Path) -> None:
    proc = run_specls("stamp", "--all", cwd=shop)
    assert proc.returncode == 0
    assert "stamped specs/auth.spec.md#app" in proc.stdout.splitlines()
    assert run_specls("check", cwd=shop).returncode == 0
    edit(shop, "src/shop/app.py", 'cart.add("tea", 2)', 'cart.add("mug", 1)')
    check = run_specls("check", "--format", "json", cwd=shop)
    assert check.returncode == 0  # SPEC207 is information: review, then stamp
    [(code, severity, path, line)] = [
        (f["code"], f["severity"], f["path"], f["range"]["start"]["line"])
        for f in json.loads(check.stdout)
    ]
    assert (code, severity, path, line) == ("SPEC207", "info", "specs/auth.spec.md", 43)
    assert run_specls("stamp", "app", cwd=shop).returncode == 0
    assert json.loads(run_specls("check", "--format", "json", cwd=shop).stdout) == []


def test_stamp_prune_drops_orphans(shop: Path) -> None:
    edit(shop, "specs/cart.spec.md", "## Cart model {#cart}", "## Cart model {#basket}")
    # its output changed too, so the entry does not follow the new ID: an orphan
    with (shop / "src/shop/cart.py").open("a") as f:
        f.write("# touched\n")
    check = run_specls("check", "--format", "json", cwd=shop)
    assert ("SPEC205", "spec.lock") in [(f["code"], f["path"]) for f in json.loads(check.stdout)]
    proc = run_specls("stamp", "--prune", cwd=shop)
    assert proc.returncode == 0 and "pruned 1 orphan(s)" in proc.stdout
    lock = json.loads((shop / "spec.lock").read_text())
    assert "specs/cart.spec.md#cart" not in lock["units"]
    assert run_specls("stamp", "basket", cwd=shop).returncode == 0
    assert run_specls("check", cwd=shop).returncode == 0


CORRUPT_CASES = {
    "conflict": lambda t: t.replace('  "units": {', '  "units": {\n<<<<<<< HEAD', 1),
    "json": lambda t: t.replace('"generator": "tangle",', '"generator": "tangle"', 1),
    "version": lambda t: t.replace('"version": 1', '"version": 99'),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_CASES))
def test_a_corrupt_lock_is_never_overwritten(shop: Path, case: str) -> None:
    lock = shop / "spec.lock"
    lock.write_text(CORRUPT_CASES[case](lock.read_text()))
    text = lock.read_text()
    lines = text.splitlines()
    if case == "conflict":
        line = 3
    elif case == "json":  # JSON notices the missing comma on the line after the edit
        line = 1 + next(i for i, s in enumerate(lines, 1) if s.endswith('"generator": "tangle"'))
    else:
        line = len(lines) - 1
    make_stale(shop)
    (shop / CART_PY).write_text("# edited\n")
    before = tree_bytes(shop)
    check = run_specls("check", cwd=shop)
    assert check.returncode == 1 and f"spec.lock:{line}:1: error SPEC117" in check.stdout
    for args in (
        ["regen", "--stale"],
        ["regen", "--all", "--force"],
        ["regen", "--all", "--dry-run"],
        ["stamp", "--all"],
        ["stamp", "specs/cart.spec.md#cart"],
        ["stamp", "--prune"],
    ):
        proc = run_specls(*args, cwd=shop)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert f"spec.lock:{line}: " in proc.stderr, (args, proc.stderr)
        assert tree_bytes(shop) == before, args
