"""The client's side of LSP document sync: what the text is after an edit.

An independent model of the protocol (not the server's code): lines end at
`\\r\\n`, `\\r` or `\\n` and nothing else; columns are UTF-16 code units; a
column past the end of its line means the end of the line, and a line past
the end of the document means the end of the document (LSP 3.17, "Position").
A column inside a surrogate pair is not defined by LSP; the model takes the
position after the pair, which is what specls does for its own positions
(`text.utf16_to_codepoint`) and what pygls does for edits.
"""

from __future__ import annotations

from dataclasses import dataclass


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point offsets of each line's content, without its terminator."""
    spans = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\r" or ch == "\n":
            spans.append((start, i))
            i += 2 if ch == "\r" and i + 1 < n and text[i + 1] == "\n" else 1
            start = i
        else:
            i += 1
    spans.append((start, n))
    return spans


def utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def utf16_length(text: str) -> int:
    return sum(utf16_units(c) for c in text)


def offset_at(text: str, line: int, character: int) -> int:
    """The code-point offset of an LSP position in `text`, clamped as LSP says."""
    spans = line_spans(text)
    if line >= len(spans):
        return len(text)
    start, end = spans[line]
    units = 0
    i = start
    while i < end and units < character:
        units += utf16_units(text[i])
        i += 1
    return i


def apply_change(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    a = offset_at(text, *start)
    b = offset_at(text, *end)
    if b < a:
        a, b = b, a
    return text[:a] + new + text[b:]


@dataclass(frozen=True)
class Slot:
    """A position a fuzzer may pick: in range, or inside a surrogate pair."""

    line: int
    character: int
    splits_pair: bool


def positions(text: str) -> list[Slot]:
    """Every in-range position of `text`, including the middle of each surrogate pair."""
    out: list[Slot] = []
    for line, (start, end) in enumerate(line_spans(text)):
        units = 0
        out.append(Slot(line, 0, False))
        for ch in text[start:end]:
            if utf16_units(ch) == 2:
                out.append(Slot(line, units + 1, True))
            units += utf16_units(ch)
            out.append(Slot(line, units, False))
    return out


def end_position(text: str) -> tuple[int, int]:
    spans = line_spans(text)
    start, end = spans[-1]
    return len(spans) - 1, utf16_length(text[start:end])
