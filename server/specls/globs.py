"""Workspace-relative glob matching with `**` (fnmatch has no `**`; pathlib's
full_match is 3.13+). Hand-written because it is ten lines and hot."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(pattern: str, path: str) -> bool:
    return _compile(pattern).match(path) is not None


def any_match(patterns: list[str] | tuple[str, ...], path: str) -> bool:
    return any(glob_match(p, path) for p in patterns)
