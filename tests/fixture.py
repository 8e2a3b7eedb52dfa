"""Test fixtures as text (STYLE.md, "Test fixtures as text").

`fixture(text)` dedents `text`, splits it into files on `//- relative/path`
lines and removes the markers: one `$0` is a cursor, two are a selection,
`\\$0` is a literal `$0`. Positions come back both as code-point offsets (for
core tests) and as UTF-16 positions: `pos`/`range` as `specls.text` values,
`cursor`/`selection` as `lsprotocol` ones for LSP tests.

    f = fixture('''
        //- specs/auth.spec.md
        ## Login$0 flow
        //- specs/users.spec.md
        # Users
    ''')
    f.files["specs/users.spec.md"], f.path, f.offset, f.pos
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from specls.text import LineIndex, Position, Range

if TYPE_CHECKING:
    from lsprotocol import types as lsp

_MARKER = re.compile(r"\\\$0|\$0")
_FILE_LINE = re.compile(r"^//- (\S+)[ \t]*$")


@dataclass(frozen=True)
class Fixture:
    files: dict[str, str]
    path: str | None = None  # the file that holds the markers
    offset: int | None = None  # code points into files[path]
    end_offset: int | None = None  # the second marker, for a selection

    @property
    def text(self) -> str:
        """The marked file's text (or the only file's)."""
        if self.path is not None:
            return self.files[self.path]
        if len(self.files) != 1:
            raise ValueError("several files and no marker: name the file")
        return next(iter(self.files.values()))

    @property
    def pos(self) -> Position:
        if self.offset is None:
            raise ValueError("the fixture has no $0 marker")
        return pos16(self.text, self.offset)

    @property
    def range(self) -> Range:
        if self.offset is None or self.end_offset is None:
            raise ValueError("the fixture needs two $0 markers for a range")
        return Range(pos16(self.text, self.offset), pos16(self.text, self.end_offset))

    @property
    def cursor(self) -> lsp.Position:
        from lsprotocol import types as lsp

        p = self.pos
        return lsp.Position(line=p.line, character=p.character)

    @property
    def selection(self) -> lsp.Range:
        from lsprotocol import types as lsp

        r = self.range
        return lsp.Range(
            start=lsp.Position(line=r.start.line, character=r.start.character),
            end=lsp.Position(line=r.end.line, character=r.end.character),
        )


def _dedent(text: str) -> str:
    text = textwrap.dedent(text)
    if text.startswith("\n"):
        text = text[1:]
    return text


def _strip_markers(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    length = 0
    for m in _MARKER.finditer(text):
        chunk = text[last : m.start()]
        out.append(chunk)
        length += len(chunk)
        if m.group(0) == "$0":
            offsets.append(length)
        else:
            out.append("$0")
            length += 2
        last = m.end()
    out.append(text[last:])
    return "".join(out), offsets


def fixture(text: str, path: str = "doc.spec.md") -> Fixture:
    """Parse a fixture; `path` names the file when there is no `//-` line."""
    text = _dedent(text)
    lines = text.splitlines(keepends=True)
    current = path
    files: dict[str, list[str]] = {}
    if not (lines and _FILE_LINE.match(lines[0].rstrip("\r\n"))):
        files[current] = []
    for line in lines:
        m = _FILE_LINE.match(line.rstrip("\r\n"))
        if m:
            current = m.group(1)
            files[current] = []
            continue
        files[current].append(line)
    result: dict[str, str] = {}
    marked: str | None = None
    offsets: list[int] = []
    for name, body in files.items():
        clean, found = _strip_markers("".join(body))
        result[name] = clean
        if found:
            if marked is not None:
                raise ValueError(f"markers in both {marked} and {name}")
            marked, offsets = name, found
    if len(offsets) > 2:
        raise ValueError(f"at most two $0 markers, found {len(offsets)}")
    return Fixture(
        files=result,
        path=marked,
        offset=offsets[0] if offsets else None,
        end_offset=offsets[1] if len(offsets) == 2 else None,
    )


def pos16(text: str, offset: int) -> Position:
    """The (line, UTF-16 column) of a code-point offset in `text`."""
    return LineIndex(text).position(offset)


def pos_from_str(s: str) -> Position:
    line, _, character = s.partition(":")
    return Position(int(line), int(character))


def range_from_str(s: str) -> Range:
    """`"l:c-l:c"` (0-based, UTF-16 columns, like `str(Range)`) → `Range`."""
    start, _, end = s.partition("-")
    return Range(pos_from_str(start), pos_from_str(end or start))
