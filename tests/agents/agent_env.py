"""What the agent tests import (not from `conftest`: tests/lsp has a conftest of its own,
and a run of both folders would import one `conftest` module for both)."""

from __future__ import annotations

import os
from pathlib import Path

FAKES = Path(__file__).resolve().parent / "fakes"
PRESETS = ("claude", "codex", "aider", "gemini", "llm")


def path_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    return {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/tmp"), **extra}
