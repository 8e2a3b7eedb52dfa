"""Section IDs: explicit `{#id}` suffixes and GitHub's heading slugs."""

from __future__ import annotations

import re

EXPLICIT_ID = re.compile(r"[ \t]*\{#([A-Za-z0-9_][A-Za-z0-9_.:\-]*)\}[ \t]*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[`*]|<[^>]+>")
_STRIP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading: rendered text, lower-cased, punctuation dropped."""
    rendered = _MARKUP.sub("", _LINK.sub(r"\1", text))
    return _STRIP.sub("", rendered.strip().lower()).replace(" ", "-")


class Slugger:
    """De-duplicates slugs the way GitHub does: `a`, `a-1`, `a-2`."""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self._seen: dict[str, int] = {}
        self._taken: set[str] = set(reserved or ())

    def slug(self, text: str) -> str:
        base = github_slug(text) or "section"  # "" is the preamble's ID
        candidate = base
        count = self._seen.get(base, 0)
        if candidate in self._taken:
            while True:
                count += 1
                candidate = f"{base}-{count}"
                if candidate not in self._taken:
                    break
        self._seen[base] = count
        self._taken.add(candidate)
        return candidate
