"""Fixtures for the CLI tests: a fresh copy of examples/shop per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import copy_example


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_example(tmp_path)
