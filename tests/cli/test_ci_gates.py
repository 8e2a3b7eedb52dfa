"""The CI gates in the forms people install: the pre-commit hooks, run by
`pre-commit try-repo` on a fixture repository (pre-commit builds specls from
this working tree into its own virtualenv, as it does for users)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gitrepo import commit_all, init_repo
from helpers import REPO, edit

HOOK_FILES = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "server")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files of this working tree that a hook install needs, committed in a
    repository of their own (try-repo installs what is committed)."""
    repo = tmp_path_factory.mktemp("hooks")
    for name in HOOK_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, repo / name)
    return init_repo(repo)


def try_repo(hooks: Path, hook: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "TERM": "dumb"},
        stdin=subprocess.DEVNULL,
        timeout=540,
    )


def test_the_hook_file_declares_check_and_guard() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert sorted(by_id) == ["specls-check", "specls-guard"]
    assert by_id["specls-check"]["entry"] == "specls check"
    assert by_id["specls-guard"]["entry"] == "specls guard --staged"
    for h in hooks:  # the workspace as a whole: a spec edit stales code elsewhere
        assert h["language"] == "python"
        assert h["pass_filenames"] is False
        assert h["always_run"] is True


def test_pre_commit_try_repo_runs_specls_check(
    hook_repo: Path, shop: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("pre-commit-home")
    init_repo(shop)
    clean = try_repo(hook_repo, "specls-check", shop, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "specls check" in clean.stdout and "Passed" in clean.stdout

    edit(shop, "specs/users.spec.md", "A user has a login", "A user has a unique login")
    commit_all(shop, "users: unique logins, not regenerated")
    stale = try_repo(hook_repo, "specls-check", shop, home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert (
        "specs/users.spec.md:4:1: warning SPEC201 src/shop/users.py is stale: the section"
        " changed since it was generated" in stale.stdout
    )
