"""Symbols of a source file: list, find, hash and replace them by qualified name.

Offsets are code points into the `str` passed in (so `text[s.start:s.end]`
is the definition) and ranges use UTF-16 columns via `specls.text.LineIndex`.
What a span covers (decorators, `export`, attached doc comments) is described
in `specls.code.extract`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from specls.code.extract import RawSymbol, extract
from specls.code.languages import SUPPORTED_LANGUAGES, parser_for
from specls.text import LineIndex, Range, normalize_text, sha256_text

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree

log = logging.getLogger(__name__)

MAX_PARSE_CHARS = 5_000_000
PARSE_BUDGET = 2.0  # seconds
_CHUNK = 64 * 1024
"""Texts longer than this are not parsed: `list_symbols` returns []."""

KINDS: frozenset[str] = frozenset(
    {
        "function",
        "method",
        "constructor",
        "class",
        "interface",
        "struct",
        "enum",
        "type",
        "trait",
        "module",
    }
)
"""Every `Symbol.kind`."""

_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str  # qualified: `Class.method`, `Recv.Method` (Go), `Type.method` (Rust impl)
    kind: str  # one of KINDS
    range: Range  # the whole definition, see `specls.code.extract`
    selection_range: Range  # the name identifier
    start: int  # code-point offsets of `range`: text[start:end] is the definition
    end: int


class SymbolNotFound(LookupError):
    """`name` is not a symbol of the text in `language`."""

    def __init__(self, name: str, language: str) -> None:
        super().__init__(f"symbol {name!r} not found ({language})")
        self.name = name
        self.language = language


def _codepoint_offsets(data: bytes, byte_offsets: Iterable[int]) -> dict[int, int]:
    """Code-point offset for each UTF-8 byte offset, in one pass over `data`.

    A code point is counted at its lead byte, so an offset inside a character
    (never produced for valid input) maps to that character's start + 1.
    """
    result: dict[int, int] = {}
    prev_byte = 0
    prev_cp = 0
    for offset in sorted(set(byte_offsets)):
        prev_cp += len(data[prev_byte:offset].translate(None, _CONTINUATION_BYTES))
        prev_byte = offset
        result[offset] = prev_cp
    return result


def _parse_within_budget(parser: Parser, data: bytes) -> Tree | None:
    """Parse, but give up after `PARSE_BUDGET` seconds (None).

    Some grammars go quadratic on odd input (tree-sitter-python on a long run
    of comment lines: 10 s for 500 KB) and the parse holds the GIL, which would
    freeze the server. py-tree-sitter has no timeout, so the source is fed in
    chunks and an empty chunk ends the input once the budget is spent.
    """
    deadline = time.monotonic() + PARSE_BUDGET
    gave_up = False

    def read(offset: int, _point: object) -> bytes:
        nonlocal gave_up
        if time.monotonic() > deadline:
            gave_up = True
            return b""
        return data[offset : offset + _CHUNK]

    tree = parser.parse(read)
    return None if gave_up else tree


@functools.lru_cache(maxsize=32)
def _symbols(text: str, language: str) -> tuple[Symbol, ...]:
    data = text.encode("utf-8", "surrogatepass")
    tree = _parse_within_budget(parser_for(language), data)
    if tree is None:
        log.warning("gave up parsing %d bytes of %s after %ss", len(data), language, PARSE_BUDGET)
        return ()
    raw: list[RawSymbol] = extract(tree.root_node, data, language)
    if not raw:
        return ()
    if text.isascii():
        to_cp: dict[int, int] | None = None
    else:
        to_cp = _codepoint_offsets(
            data, (b for r in raw for b in (r.start, r.end, r.name_start, r.name_end))
        )
    index = LineIndex(text)
    symbols = []
    for r in raw:
        if to_cp is None:
            start, end, name_start, name_end = r.start, r.end, r.name_start, r.name_end
        else:
            start, end = to_cp[r.start], to_cp[r.end]
            name_start, name_end = to_cp[r.name_start], to_cp[r.name_end]
        symbols.append(
            Symbol(
                name=r.name,
                kind=r.kind,
                range=index.range(start, end),
                selection_range=index.range(name_start, name_end),
                start=start,
                end=end,
            )
        )
    return tuple(symbols)


def list_symbols(text: str, language: str) -> list[Symbol]:
    """Definitions in source order (a container before its members); never raises.

    Unknown languages, texts over `MAX_PARSE_CHARS` and internal failures give [];
    files with syntax errors give whatever tree-sitter recovers.
    """
    if language not in SUPPORTED_LANGUAGES or len(text) > MAX_PARSE_CHARS:
        return []
    try:
        return list(_symbols(text, language))
    except Exception:  # a grammar missing or a bug: callers report "symbol missing"
        log.exception("listing %s symbols failed", language)
        return []


def find_symbol(text: str, language: str, name: str) -> Symbol | None:
    """The first symbol with exactly this qualified name (overloads: the first one)."""
    return next((s for s in list_symbols(text, language) if s.name == name), None)


def symbol_text(text: str, symbol: Symbol) -> str:
    return text[symbol.start : symbol.end]


def symbol_digest(text: str, symbol: Symbol) -> str:
    """`sha256:…` of the symbol's normalized text (line endings, trailing blanks ignored)."""
    return sha256_text(normalize_text(symbol_text(text, symbol)))


def symbol_hash(text: str, language: str, name: str) -> str | None:
    symbol = find_symbol(text, language, name)
    return symbol_digest(text, symbol) if symbol is not None else None


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _fit(new_text: str, indent: str, newline: str) -> str:
    """`new_text` laid out for a span that starts after `indent` on its line."""
    lines = new_text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line for line in lines if line.strip()), "")
    given = _leading_ws(first)
    if given != indent:
        # Re-indent: drop the block's own indentation, then indent to the span's column.
        lines = [
            line[len(given) :] if line.startswith(given) else line.lstrip(" \t") for line in lines
        ]
        lines = [lines[0]] + [indent + line if line.strip() else line for line in lines[1:]]
    lines[0] = lines[0].lstrip(" \t")
    return newline.join(lines)


def replace_symbol(text: str, language: str, name: str, new_text: str) -> str:
    """`text` with the span of symbol `name` replaced by `new_text`.

    Raises `SymbolNotFound` if there is no such symbol. The span starts after
    the indentation of its first line and ends before the line break, so:
    `new_text` may be given at column 0 or already indented to the symbol's
    column (both are laid out at the symbol's column); a trailing line break
    in `new_text` is dropped when the span is followed by one; line breaks
    follow the file's (CRLF if the file uses CRLF).
    """
    symbol = find_symbol(text, language, name)
    if symbol is None:
        raise SymbolNotFound(name, language)
    line_start = max(text.rfind("\n", 0, symbol.start), text.rfind("\r", 0, symbol.start)) + 1
    before = text[line_start : symbol.start]
    indent = before if not before.strip(" \t") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    replacement = _fit(new_text, indent, newline)
    after = text[symbol.end :]
    if replacement.endswith(newline) and after.startswith(("\n", "\r")):
        replacement = replacement[: -len(newline)]
    return text[: symbol.start] + replacement + after
