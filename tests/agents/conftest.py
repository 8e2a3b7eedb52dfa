"""Fixtures for the agent tests: a copy of examples/shop and the fake agent CLIs on PATH."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from agent_env import FAKES, PRESETS
from helpers import copy_example


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """A directory holding `claude`, `codex`, … that run the fakes with this Python.

    PATH is set to this directory alone in the tests, so a real agent CLI
    installed on the machine can never be reached.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in PRESETS:
        script = bin_dir / name
        script.write_text(
            f"#!{sys.executable}\n"
            "import runpy, sys\n"
            f"sys.argv[0] = {name!r}\n"
            f"runpy.run_path({str(FAKES / name)!r}, run_name='__main__')\n"
        )
        script.chmod(0o755)
    return bin_dir
