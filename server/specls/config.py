"""`specls.toml` or `[tool.specls]` in pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_INCLUDE = (
    "**/*.spec.md",
    "specs/*/spec.md",
    "specs/*/plan.md",
    "specs/*/tasks.md",
    "memory/constitution.md",
    ".specify/memory/constitution.md",
    ".kiro/specs/*/requirements.md",
    ".kiro/specs/*/design.md",
    ".kiro/specs/*/tasks.md",
    "openspec/specs/**/spec.md",
    "openspec/changes/**/*.md",
)
ALWAYS_EXCLUDED = (
    ".git",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".specls",
)


class ConfigError(Exception):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class GeneratorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # argv, no shell; placeholders {unit}, {staging}, {prompt} (the plain-text prompt)
    # and {outputs} (one argument per output path). Empty: the preset's (regen/presets.py).
    command: list[str] = Field(default_factory=list)
    output: Literal["files", "markdown"] = "files"
    # what the generator reads on stdin: the prompt as JSON, as plain text, or nothing
    stdin: Literal["json", "text", "none"] = "json"
    timeout: float = 600.0
    env: dict[str, str] = Field(default_factory=dict)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    include: list[str] = Field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = Field(default_factory=list)
    generator: str = "tangle"
    generators: dict[str, GeneratorConfig] = Field(default_factory=dict)
    max_file_size: int = 10_000_000


def _toml_line(exc: tomllib.TOMLDecodeError, text: str) -> int:
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if "end of document" in str(exc):
        return max(1, len(text.rstrip("\n").split("\n")))
    return 1


def _key_line(text: str, loc: list[str | int]) -> int:
    """Line of the innermost key of `loc` found by walking down its keys in order."""
    pos = -1
    for key in loc:
        if not isinstance(key, str):
            continue
        m = re.compile(r"(?m)(?:^|(?<=[\s.\[{,\"']))" + re.escape(key) + r"[\"']?\s*[=.\]]").search(
            text, max(pos, 0)
        )
        if m is None:
            break
        pos = m.start()
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def _validate(path: Path, text: str, data: dict[str, Any], prefix: str) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc: list[str | int] = list(err["loc"])
        if prefix:  # [tool.specls] in pyproject.toml: the keys live under that table
            loc = ["tool", "specls", *loc]
        message = f"{prefix}{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
        raise ConfigError(path, _key_line(text, loc), message) from None


def load_config(root: Path) -> tuple[Config, Path | None]:
    """The workspace's configuration and the file it came from (defaults when none)."""
    for name, table in (("specls.toml", None), ("pyproject.toml", ("tool", "specls"))):
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, _toml_line(exc, text), f"invalid TOML: {exc}") from None
        if table is None:
            return _validate(path, text, data, ""), path
        section = data.get(table[0], {}).get(table[1])
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(path, 1, "[tool.specls] must be a table")
        return _validate(path, text, section, "tool.specls."), path
    return Config(), None
