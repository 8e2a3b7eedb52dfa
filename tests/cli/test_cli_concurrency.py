"""Writers at once on one root: no lock entry is ever lost (DESIGN §2, one writer at a
time; each re-reads the lock inside the writer lock and changes only its units)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import run_specls

UNITS = 12


def many_units(root: Path) -> list[str]:
    """A workspace of UNITS independent tangle units, none generated yet."""
    (root / "specs").mkdir(parents=True)
    (root / "specls.toml").write_text('include = ["specs/*.spec.md"]\n')
    refs = []
    for i in range(UNITS):
        (root / f"specs/u{i}.spec.md").write_text(
            f"# U{i}\n\n## Part {{#p{i}}}\n[@generate](../out/u{i}.py)\n\n"
            f"```python file=../out/u{i}.py\nVALUE = {i}\n```\n",
            encoding="utf-8",
        )
        refs.append(f"specs/u{i}.spec.md#p{i}")
    return refs


def test_parallel_regens_of_disjoint_units_keep_every_entry(tmp_path: Path) -> None:
    for attempt in range(3):
        root = tmp_path / f"ws{attempt}"
        refs = many_units(root)
        halves = [refs[: UNITS // 2], refs[UNITS // 2 :]]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "specls", "regen", *half],
                cwd=root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for half in halves
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        units = json.loads((root / "spec.lock").read_text())["units"]
        assert sorted(units) == sorted(refs), f"attempt {attempt}: lost entries"
        data = json.loads(run_specls("status", "--format", "json", cwd=root).stdout)
        assert {o["status"] for o in data["outputs"]} == {"fresh"}


def test_regen_of_fresh_units_leaves_the_lock_byte_identical(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    many_units(root)
    assert run_specls("regen", "--all", cwd=root).returncode == 0
    before = (root / "spec.lock").read_bytes()
    assert run_specls("regen", "--all", cwd=root).returncode == 0
    assert (root / "spec.lock").read_bytes() == before
