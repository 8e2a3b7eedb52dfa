"""`specls check --format json` on real public projects, one per layout and more.

The projects are fetched into a cache by `scripts/fetch-corpora` (they are not
vendored: their licences differ); a project not in the cache is skipped,
with the command that fetches it. Every error and warning must be one of the
project's `expected` findings in tests/corpora/corpora.toml, each a true
problem of that project; and each expected one must still be found.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, run_specls

CORPORA = tomllib.loads((REPO / "tests" / "corpora" / "corpora.toml").read_text("utf-8"))["corpus"]


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "specls-corpora"
    return Path(os.environ.get("SPECLS_CORPORA", default))


@pytest.mark.parametrize("corpus", CORPORA, ids=[c["name"] for c in CORPORA])
def test_no_false_errors_or_warnings(corpus: dict[str, Any]) -> None:
    root = cache_dir() / corpus["name"]
    if not (root / ".specls-corpus").is_file():
        pytest.skip(f"{corpus['name']} is not in {cache_dir()}: run scripts/fetch-corpora")
    assert (root / ".specls-corpus").read_text().strip() == corpus["commit"]
    proc = run_specls("check", "--format", "json", ".", cwd=root, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    found = json.loads(proc.stdout or "[]")
    failing = sorted(
        (f["code"], f["path"], f["range"]["start"]["line"] + 1, f["message"])
        for f in found
        if f["severity"] in ("error", "warning")
    )
    assert [f[:3] for f in failing] == sorted(tuple(e) for e in corpus["expected"]), failing
