"""`spec.lock`: what was generated from which spec text, and what it looked like.

A corrupt lock is reported with its file and line and is never overwritten:
`load_lock` raises `LockError`, and callers refuse to write until it is fixed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from specls.fsutil import atomic_write, read_regular
from specls.text import ZERO_RANGE, Range

LOCK_NAME = "spec.lock"
LOCK_VERSION = 1
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


class LockError(Exception):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line  # 1-based
        self.message = message


class LockUnit(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    spec: str
    inputs: str
    generator: str
    generated: str
    outputs: dict[str, str] = Field(default_factory=dict)
    described: dict[str, str] = Field(default_factory=dict)


class LockConflict(BaseModel):
    """A unit changed differently on both sides of a merge (`specls lock merge`).

    Kept in the lock so the file stays valid JSON and no side is lost; writing
    the unit again (regen or stamp) resolves it.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    base: LockUnit | None = None
    ours: LockUnit | None = None
    theirs: LockUnit | None = None


class Lock(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    version: Literal[1] = 1
    units: dict[str, LockUnit] = Field(default_factory=dict)
    conflicts: dict[str, LockConflict] = Field(default_factory=dict)

    def with_unit(self, ref: str, unit: LockUnit) -> Lock:
        conflicts = {k: v for k, v in self.conflicts.items() if k != ref}
        return Lock(version=self.version, units={**self.units, ref: unit}, conflicts=conflicts)

    def with_units(self, units: dict[str, LockUnit]) -> Lock:
        conflicts = {k: v for k, v in self.conflicts.items() if k not in units}
        return Lock(version=self.version, units={**self.units, **units}, conflicts=conflicts)

    def without_unit(self, ref: str) -> Lock:
        return Lock(
            version=self.version,
            units={k: v for k, v in self.units.items() if k != ref},
            conflicts={k: v for k, v in self.conflicts.items() if k != ref},
        )

    def renamed(self, old: str, new: str) -> Lock:
        return Lock(
            version=self.version,
            units={(new if k == old else k): v for k, v in self.units.items()},
            conflicts={(new if k == old else k): v for k, v in self.conflicts.items()},
        )


def key_range(lock_text: str | None, key: str, after: str | None = None) -> Range:
    """Where `"key"` is written in the lock's text (searched after `after`'s first
    occurrence when given and present), for findings on the lock; the file start
    when it is not there."""
    if not lock_text:
        return ZERO_RANGE
    needle = f'"{key}"'
    start = max(lock_text.find(f'"{after}"'), 0) if after else 0
    index = lock_text.find(needle, start)
    if index < 0 and start:
        index = lock_text.find(needle)
    if index < 0:
        return ZERO_RANGE
    line = lock_text.count("\n", 0, index)
    col = index - (lock_text.rfind("\n", 0, index) + 1)
    return Range.of(line, col, line, col + len(needle))


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _line_of_path(text: str, loc: tuple[int | str, ...]) -> int:
    """Line of the innermost key of `loc` found by walking down the keys in order."""
    pos = -1
    for key in loc:
        if not isinstance(key, str):
            continue
        index = text.find(json.dumps(key), max(pos, 0))
        if index < 0:
            break
        pos = index
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


_MAX_DEPTH = 32  # a lock nests 4 deep; json.loads recurses once per level
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{\]}]')  # a string, or a bracket outside one
_LONG_NUMBER = re.compile(r"\d{1000,}")


def _too_deep(text: str) -> int | None:
    """Line where brackets nest deeper than a lock ever does (None when they don't).

    Only asked after `json.loads` raised RecursionError, to name the line."""
    depth = 0
    for m in _TOKEN.finditer(text):
        token = m.group()
        if token in ("[", "{"):
            depth += 1
            if depth > _MAX_DEPTH:
                return text.count("\n", 0, m.start()) + 1
        elif token in ("]", "}"):
            depth -= 1
    return None


def parse_lock(path: Path, text: str) -> Lock:
    if not text.strip():
        return Lock()  # `touch spec.lock` marks a root: an empty lock, not a corrupt one
    if m := _CONFLICT.search(text):
        line = text.count("\n", 0, m.start()) + 1
        raise LockError(
            path, line, "unresolved merge conflict markers; resolve them or run `specls stamp`"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LockError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:  # 100k `[`: find where it nests deeper than a lock ever does
        line = _too_deep(text) or 1
        raise LockError(
            path, line, f"invalid JSON: nested deeper than {_MAX_DEPTH} levels"
        ) from None
    except ValueError as exc:  # an integer over Python's 4300 digits
        m = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, m.start()) + 1 if m else 1
        raise LockError(path, line, f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise LockError(path, 1, "the lock must be a JSON object")
    version = data.get("version")
    if type(version) is not int:
        raise LockError(
            path, _line_of(text, '"version"'), f"version must be the integer {LOCK_VERSION}"
        )
    if version != LOCK_VERSION:
        raise LockError(
            path,
            _line_of(text, '"version"'),
            f"unsupported lock version {version!r} (this specls reads version {LOCK_VERSION});"
            " upgrade specls",
        )
    try:
        return Lock.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        line = _line_of_path(text, tuple(err["loc"]))
        raise LockError(path, line, f"{where}: {err['msg']}") from None


def load_lock(path: Path) -> Lock | None:
    """The lock at `path`, None when there is none yet."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LockError(path, 1, f"cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LockError(path, raw.count(b"\n", 0, exc.start) + 1, "not valid UTF-8") from None
    return parse_lock(path, text)


def dump_lock(lock: Lock) -> str:
    data = lock.model_dump(mode="json")
    sides = [s for c in data["conflicts"].values() for s in c.values() if s is not None]
    for unit in [*data["units"].values(), *sides]:
        if not unit["described"]:
            del unit["described"]
    if not data["conflicts"]:
        del data["conflicts"]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(path: Path, lock: Lock) -> None:
    atomic_write(path, dump_lock(lock).encode("utf-8"))
