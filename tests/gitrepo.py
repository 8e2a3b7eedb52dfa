"""Temporary git repositories for the tests of git integrations (merge driver,
`--changed-since`, pre-commit): a private identity and no user config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_ENV = {
    "GIT_AUTHOR_NAME": "specls tests",
    "GIT_AUTHOR_EMAIL": "tests@specls.invalid",
    "GIT_COMMITTER_NAME": "specls tests",
    "GIT_COMMITTER_EMAIL": "tests@specls.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **_ENV},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    if check:
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc


def init_repo(root: Path, *, merge_driver: bool = False) -> Path:
    """`root` as a git repository with everything in it committed on `main`.

    With `merge_driver`, spec.lock merges through `specls lock merge` as the
    README tells users to set it up (this interpreter runs the driver)."""
    git(root, "init", "-q", "-b", "main")
    if merge_driver:
        (root / ".gitattributes").write_text("spec.lock merge=specls\n", encoding="utf-8")
        git(
            root,
            "config",
            "merge.specls.driver",
            f"'{sys.executable}' -m specls lock merge %O %A %B %P",
        )
    commit_all(root, "initial")
    return root


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").stdout.strip()
