"""`specls.toml` or `[tool.specls]` in pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from specls import layouts
from specls.findings import Code
from specls.layouts import default_include

# The union of the layouts' globs (`specls.layouts`): `**/*.spec.md`, Spec Kit, Kiro, OpenSpec.
DEFAULT_INCLUDE = default_include()
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
    # and {outputs} (one argument per output path). Left out: the preset's (regen/presets.py).
    command: list[str] = Field(default_factory=list)
    output: Literal["files", "markdown"] = "files"
    # what the generator reads on stdin: the prompt as JSON, as plain text, or nothing
    stdin: Literal["json", "text", "none"] = "json"
    timeout: float = Field(default=600.0, gt=0, allow_inf_nan=False)  # nan never times out

    @field_validator("command")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        """Written out, a command names a program; `[]` is a mistake, not "the preset"."""
        if not value:
            raise ValueError("command = [] runs nothing; leave it out to use the preset")
        return value

    env: dict[str, str] = Field(default_factory=dict)


DEFAULT_TEST_GLOBS = (
    "tests/**",
    "test/**",
    "**/tests/**",
    "**/test/**",
    "**/__tests__/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/*_test.go",
    "**/*.test.*",
    "**/*.spec.ts",
    "**/*.spec.tsx",
    "**/*.spec.js",
    "**/*Test.java",
    "**/*_test.rs",
)


class TraceConfig(BaseModel):
    """`[trace]`: how `specls trace` finds traces in code (see specls.code.comments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patterns: list[str] | None = None  # regexes replacing the default comment patterns
    tests: list[str] = Field(default_factory=lambda: list(DEFAULT_TEST_GLOBS))
    code: list[str] = Field(default_factory=lambda: ["**"])  # files whose comments count

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return value


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    include: list[str] = Field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = Field(default_factory=list)
    # Globs per layout, replacing its own: `[layouts] openspec = ["design/**/spec.md"]`.
    layouts: dict[str, list[str]] = Field(default_factory=dict)
    # Severity per finding code: `[rules] SPEC108 = "off"` (or error/warning/info/hint).
    rules: dict[str, Literal["error", "warning", "info", "hint", "off"]] = Field(
        default_factory=dict
    )
    generator: str = "tangle"
    generators: dict[str, GeneratorConfig] = Field(default_factory=dict)
    max_file_size: int = Field(default=10_000_000, gt=0)
    # dot-directories or dot-files outputs may be written in (paths.forbidden_output)
    allow_dot_paths: list[str] = Field(default_factory=list)
    trace: TraceConfig = Field(default_factory=TraceConfig)

    @model_validator(mode="before")
    @classmethod
    def _include_from_layouts(cls, data: Any) -> Any:
        """Without `include`, the specs are the union of the (configured) layout globs."""
        if (
            isinstance(data, dict)
            and "include" not in data
            and isinstance(data.get("layouts"), dict)
        ):
            return {**data, "include": list(default_include(data["layouts"]))}
        return data

    @field_validator("rules")
    @classmethod
    def _known_codes(cls, value: dict[str, str]) -> dict[str, str]:
        known = {c.value for c in Code}
        for code in value:
            if code not in known:
                raise ValueError(f"unknown finding code '{code}' (see docs/findings.md)")
        return value

    @field_validator("layouts")
    @classmethod
    def _known_layouts(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if name not in layouts.names():
                raise ValueError(
                    f"unknown layout '{name}' (expected one of {', '.join(layouts.names())})"
                )
        return value


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
        tool = data.get(table[0], {})
        if not isinstance(tool, dict):  # `tool = 1`: not ours to judge, but not a table
            raise ConfigError(path, _key_line(text, ["tool"]), "tool must be a table")
        section = tool.get(table[1])
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(path, _key_line(text, list(table)), "tool.specls must be a table")
        return _validate(path, text, section, "tool.specls."), path
    return Config(), None
