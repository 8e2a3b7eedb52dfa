"""`specls check --changed-since REF` on a temporary git repository with commits:
only findings in the files the range touched (committed and local changes)
and in the units they reach through `@use`; the base branch's debt stays out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import commit_all, git, init_repo
from helpers import edit, run_specls

USERS = "specs/users.spec.md"
AUTH = "specs/auth.spec.md"
CART = "specs/cart.spec.md"
CATALOG = "specs/catalog.spec.md"


def found(root: Path, *args: str) -> list[tuple[str, str, str | None]]:
    proc = run_specls("check", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return sorted((f["code"], f["path"], f["unit"]) for f in json.loads(proc.stdout))


@pytest.fixture
def repo(shop: Path) -> Path:
    """The shop in a subdirectory of a repository whose base commit carries debt:
    an unresolved clarification in the catalog."""
    edit(shop, CATALOG, "The catalog lists", "The catalog [NEEDS CLARIFICATION: VAT?] lists")
    init_repo(shop.parent)
    git(shop, "tag", "base")
    return shop


def test_only_the_range_and_the_units_it_reaches_are_reported(repo: Path) -> None:
    debt = ("SPEC107", CATALOG, None)
    assert found(repo) == [debt]
    git(repo, "checkout", "-q", "-b", "feature")
    # committed: the user model changes; auth#login @uses it, so it is stale too
    edit(repo, USERS, "A user has a login", "A user has a unique login")
    commit_all(repo.parent, "users: unique logins")
    # not committed: a hand edit of a generated file, and a new spec with a broken @use
    edit(repo, "src/shop/cart.py", "return sum(", "return 0 + sum(")
    (repo / "specs/promo.spec.md").write_text(
        "# Promo 🎉\n\n## Codes {#codes}\n[@use](cart.spec.md#nope)\n", encoding="utf-8"
    )
    stale_users = ("SPEC201", USERS, "specs/users.spec.md#user-model")
    stale_auth = ("SPEC201", AUTH, "specs/auth.spec.md#login")  # twice: two outputs
    edited_cart = ("SPEC202", CART, "specs/cart.spec.md#cart")
    broken = ("SPEC102", "specs/promo.spec.md", None)
    everything = sorted([debt, stale_users, stale_auth, stale_auth, edited_cart, broken])
    assert found(repo) == everything

    assert found(repo, "--changed-since", "base") == sorted(
        [stale_users, stale_auth, stale_auth, edited_cart, broken]
    )
    assert found(repo, "--changed-since", "main") == found(repo, "--changed-since", "base")
    # since HEAD: only the local changes
    assert found(repo, "--changed-since", "HEAD") == sorted([edited_cart, broken])
    # the exit code follows what is in scope
    git(repo.parent, "checkout", "-q", "--", ".")
    (repo / "specs/promo.spec.md").unlink()
    assert run_specls("check", "--changed-since", "HEAD", cwd=repo).returncode == 0
    assert run_specls("check", cwd=repo).returncode == 1


def test_a_changed_use_file_or_lock_entry_reaches_its_units(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "docs/pricing-policy.md", "", "Prices include VAT.\n")
    commit_all(repo.parent, "policy")
    assert found(repo, "--changed-since", "base") == [("SPEC201", CART, "specs/cart.spec.md#cart")]
    # a changed lock entry (as a stamp writes) reaches its unit
    lock = json.loads((repo / "spec.lock").read_text(encoding="utf-8"))
    product = "specs/catalog.spec.md#product"
    lock["units"][product]["spec"] = "sha256:0"  # as if generated from another spec text
    (repo / "spec.lock").write_text(json.dumps(lock, indent=2), encoding="utf-8")
    commit_all(repo.parent, "lock")
    stale = found(repo, "--changed-since", "HEAD~1")
    assert stale and set(stale) == {("SPEC201", CATALOG, product)}
    # since base: the policy's unit and the product unit (stale on both its outputs)
    assert len(found(repo, "--changed-since", "base")) == 1 + len(stale)


def test_git_problems_are_usage_errors_with_a_message(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    proc = run_specls("check", "--changed-since", "no-such-ref", cwd=repo)
    assert proc.returncode == 2
    assert "unknown git revision 'no-such-ref'" in proc.stderr
    outside = tmp_path_factory.mktemp("plain")
    (outside / "a.spec.md").write_text("# A\n", encoding="utf-8")
    proc = run_specls("check", "--changed-since", "main", cwd=outside)
    assert proc.returncode == 2
    assert "is not in a git repository" in proc.stderr


def test_a_section_removed_reaches_the_units_that_used_it(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, USERS, "## User model {#user-model}", "## User model {#account}")
    commit_all(repo.parent, "users: rename the section")
    in_scope = found(repo, "--changed-since", "base")
    # auth.spec.md was not touched, but its login unit @uses the section that is gone:
    # the broken reference (a finding with no unit) is inside that unit, so it is in scope
    assert ("SPEC102", AUTH, None) in in_scope
    assert ("SPEC107", CATALOG, None) not in in_scope
    # the lock entry follows the renamed section (its outputs match): stale, not an orphan
    assert ("SPEC201", USERS, "specs/users.spec.md#account") in in_scope
    assert not [f for f in in_scope if f[0] == "SPEC205"]
