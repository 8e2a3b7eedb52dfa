"""Positions and ranges shared by every analysis layer.

Columns are UTF-16 code units, the LSP default, so the LSP layer can pass them
through without conversion; `LineIndex` is the one place that converts
between code-point offsets and (line, UTF-16 column).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Position:
    line: int
    character: int  # UTF-16 code units

    def shifted(self, lines: int) -> Position:
        return Position(self.line + lines, self.character)


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    @staticmethod
    def of(line: int, start: int, end_line: int | None = None, end: int = 0) -> Range:
        return Range(Position(line, start), Position(line if end_line is None else end_line, end))

    def shifted(self, lines: int) -> Range:
        return Range(self.start.shifted(lines), self.end.shifted(lines))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end

    def __str__(self) -> str:
        return f"{self.start.line}:{self.start.character}-{self.end.line}:{self.end.character}"


ZERO_RANGE = Range.of(0, 0, 0, 0)


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units (astral characters count twice)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf16_to_codepoint(line_text: str, character: int) -> int:
    """Code-point column in `line_text` for a UTF-16 column (clamped to the line)."""
    units = 0
    for i, ch in enumerate(line_text):
        if units >= character:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line_text)


def split_lines(text: str) -> list[str]:
    """Lines without their terminators; `\\r\\n`, `\\r` and `\\n` all end a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class LineIndex:
    """Maps code-point offsets in a text to LSP positions and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0]
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if ch == "\r":
                if i + 1 < n and text[i + 1] == "\n":
                    i += 1
                self._starts.append(i + 1)
            elif ch == "\n":
                self._starts.append(i + 1)
            i += 1

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_text(self, line: int) -> str:
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def position(self, offset: int) -> Position:
        line = bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        return Position(line, utf16_len(self.text[start:offset]))

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    def offset(self, pos: Position) -> int:
        if pos.line >= len(self._starts):
            return len(self.text)
        start = self._starts[pos.line]
        return start + utf16_to_codepoint(self.line_text(pos.line), pos.character)


def sha256_text(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def normalize_text(text: str) -> str:
    """Line endings unified and trailing blanks dropped, so hashes survive CRLF and editors."""
    lines = [line.rstrip() for line in split_lines(text)]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""
