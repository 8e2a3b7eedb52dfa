"""Fence-aware line scan: front matter, headings and fenced code, nothing else.

This is the cheap first pass that splits a document at its headings (DESIGN
§6) so each section can be parsed and cached on its own. It follows
CommonMark for the constructs that decide where a section starts: ATX and
setext headings, fenced code (``` and ~~~, closing fence at least as long),
and indented code (a heading-like line indented by four spaces is code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-+*>|]|\d{1,9}[.)]|<|#{1,6}(?:[ \t]|$)|`{3,}|~{3,})")


@dataclass(frozen=True, slots=True)
class Heading:
    first_line: int  # setext headings span several lines
    last_line: int  # the ATX line, or the setext underline
    level: int
    text: str  # raw heading text, closing #s removed
    text_line: int
    text_column: int  # code-point column of `text` on text_line


@dataclass(frozen=True, slots=True)
class Fence:
    open_line: int
    close_line: int  # == last line of the document when unclosed
    info: str
    closed: bool


@dataclass(frozen=True, slots=True)
class FrontMatter:
    start_line: int
    end_line: int  # the closing `---` line
    text: str


@dataclass(frozen=True, slots=True)
class BlockScan:
    headings: tuple[Heading, ...]
    fences: tuple[Fence, ...]
    front_matter: FrontMatter | None


def scan_front_matter(lines: list[str]) -> FrontMatter | None:
    if not lines or lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return FrontMatter(0, i, "\n".join(lines[1:i]))
    return None


def fence_close(line: str, fence: str) -> bool:
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(fence[0]))
    return run >= len(fence) and stripped[run:].strip() == ""


def scan_fences(lines: list[str], start: int = 0) -> list[Fence]:
    """Fenced code blocks in `lines` (a chunk or a whole document).

    Only lines with a backtick or tilde among their first four characters can
    open or close a fence, so the scan visits those alone (a long spec has few).
    """
    fences: list[Fence] = []
    n = len(lines)
    marks = [i for i in range(start, n) if "`" in lines[i][:4] or "~" in lines[i][:4]]
    k = 0
    while k < len(marks):
        i = marks[k]
        k += 1
        m = _FENCE_OPEN.match(lines[i])
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            fence = m.group(2)
            while k < len(marks) and not fence_close(lines[marks[k]], fence):
                k += 1
            closed = k < len(marks)
            fences.append(Fence(i, marks[k] if closed else n - 1, m.group(3).strip(), closed))
            k += 1
    return fences


def scan_blocks(lines: list[str]) -> BlockScan:
    front = scan_front_matter(lines)
    start = front.end_line + 1 if front else 0
    fences = scan_fences(lines, start)
    in_fence = [False] * len(lines)
    for f in fences:
        for k in range(f.open_line, f.close_line + 1):
            in_fence[k] = True
    headings: list[Heading] = []
    para_start: int | None = None  # first line of the current paragraph
    for i in range(start, len(lines)):
        line = lines[i]
        if in_fence[i]:
            para_start = None
            continue
        if not line.strip():
            para_start = None
            continue
        if line[0] not in "# \t=-":  # no heading, underline or indented code: text
            if para_start is None and not _NOT_PARAGRAPH.match(line):
                para_start = i
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and para_start is None:
            continue  # indented code: never a heading, never a paragraph
        m = _ATX.match(line)
        if m:
            text = m.group(2) or ""
            column = m.start(2) if text else len(line)
            if re.fullmatch(r"#+", text):
                text, column = "", len(line)
            headings.append(Heading(i, i, len(m.group(1)), text, i, column))
            para_start = None
            continue
        s = _SETEXT.match(line)
        if s and para_start is not None:
            level = 1 if s.group(1)[0] == "=" else 2
            body = lines[para_start:i]
            first = body[0]
            text = " ".join(part.strip() for part in body)
            column = len(first) - len(first.lstrip())
            headings.append(Heading(para_start, i, level, text, para_start, column))
            para_start = None
            continue
        if para_start is None and not _NOT_PARAGRAPH.match(line):
            para_start = i
    return BlockScan(tuple(headings), tuple(fences), front)
