"""Assemble a `SpecDocument` from a document's text.

The line scan finds headings; each heading's own lines become a chunk parsed
(and cached by its text) in `_place`, counted from the line it starts on; here they are
given IDs and nested into the section tree. The document's layout scans its
symbols per chunk (cached with it) and links them once per document.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from specls.dialect.blocks import Heading, scan_blocks
from specls.dialect.chunk import parse_chunk_uncached
from specls.dialect.model import (
    Chunk,
    CodeBlock,
    Directive,
    Link,
    Marker,
    Requirement,
    Section,
    SpecDocument,
    SymbolScanner,
)
from specls.dialect.slug import EXPLICIT_ID, Slugger
from specls.findings import Code, Finding, Severity
from specls.text import Position, Range, sha256_text, split_lines, utf16_len


def _shift_directive(d: Directive, n: int) -> Directive:
    return replace(
        d,
        range=d.range.shifted(n),
        label_range=d.label_range.shifted(n),
        target_range=d.target_range.shifted(n),
    )


def _shift_block(b: CodeBlock, n: int) -> CodeBlock:
    return replace(
        b,
        range=b.range.shifted(n),
        info_range=b.info_range.shifted(n),
        file_range=b.file_range.shifted(n) if b.file_range else None,
    )


def _shift_link(link: Link, n: int) -> Link:
    return replace(link, range=link.range.shifted(n), fragment_range=link.fragment_range.shifted(n))


def _shift_marker(m: Marker, n: int) -> Marker:
    return replace(m, range=m.range.shifted(n))


def _shift_requirement(r: Requirement, n: int) -> Requirement:
    return replace(r, range=r.range.shifted(n))


_PLACED: dict[tuple[str, SymbolScanner | None], tuple[int, Chunk]] = {}
_PLACED_MAX = 32768  # sections remembered (a workspace's worth): then start afresh


def _place(text: str, start: int, scanner: SymbolScanner | None) -> Chunk:
    """The chunk of a section's text, with its positions counted from line `start`.

    Keyed by text alone: a section an edit did not touch is never parsed again,
    only shifted when the edit moved it (and then remembered where it is now).
    A first parse counts from `start` directly, so a cold load shifts nothing.
    """
    key = (text, scanner)
    hit = _PLACED.get(key)
    if hit is not None and hit[0] == start:
        return hit[1]
    if hit is None:
        chunk = parse_chunk_uncached(text, scanner, base=start)
    else:
        chunk = _shifted(hit[1], start - hit[0])
    if len(_PLACED) >= _PLACED_MAX:
        _PLACED.clear()
    _PLACED[key] = (start, chunk)
    return chunk


def _shifted(chunk: Chunk, n: int) -> Chunk:
    return replace(
        chunk,
        directives=tuple(_shift_directive(d, n) for d in chunk.directives),
        code_blocks=tuple(_shift_block(b, n) for b in chunk.code_blocks),
        clarifications=tuple(_shift_marker(m, n) for m in chunk.clarifications),
        requirements=tuple(_shift_requirement(r, n) for r in chunk.requirements),
        requirement_refs=tuple(_shift_marker(m, n) for m in chunk.requirement_refs),
        path_refs=tuple(_shift_marker(m, n) for m in chunk.path_refs),
        unknown_directives=tuple(_shift_marker(m, n) for m in chunk.unknown_directives),
        links=tuple(_shift_link(link, n) for link in chunk.links),
    )


def _front_matter(
    path: str, lines: list[str], end_line: int, text: str
) -> tuple[dict[str, Any], list[Finding]]:
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 1 + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return {}, [
            Finding(
                Code.BAD_FRONT_MATTER,
                Severity.ERROR,
                f"invalid YAML front matter: {reason}",
                path,
                Range.of(line, 0, line, utf16_len(lines[line]) if line < len(lines) else 0),
            )
        ]
    if not isinstance(data, dict):
        return {}, [
            Finding(
                Code.BAD_FRONT_MATTER,
                Severity.ERROR,
                "front matter must be a YAML mapping",
                path,
                Range.of(0, 0, end_line, 3),
            )
        ]
    return data, []


def parse_document(path: str, text: str, layout: SymbolScanner | None = None) -> SpecDocument:
    """Parse a spec's text. Never raises: problems come back as findings.

    `layout` scans the symbols (requirements, tasks, traces); without one, the
    layout the default globs give `path`. The import is deferred because the
    layouts are built on this module's data types.
    """
    if layout is None:
        from specls.layouts import layout_for

        layout = layout_for(path)
    lines = split_lines(text)
    scan = scan_blocks(lines)
    problems: list[Finding] = []
    front: dict[str, Any] = {}
    front_range: Range | None = None
    body_start = 0
    if scan.front_matter:
        fm = scan.front_matter
        front_range = Range.of(fm.start_line, 0, fm.end_line, utf16_len(lines[fm.end_line]))
        front, fm_problems = _front_matter(path, lines, fm.end_line, fm.text)
        problems.extend(fm_problems)
        body_start = fm.end_line + 1

    starts = [body_start] + [h.first_line for h in scan.headings]
    ends = [h.first_line for h in scan.headings] + [len(lines)]
    explicit = {m.group(1) for h in scan.headings if (m := EXPLICIT_ID.search(h.text)) is not None}
    slugger = Slugger(reserved=explicit)
    seen_ids: dict[str, Range] = {}
    # First every section's own facts (its chunk comes from the per-section cache),
    # then the tree and the ranges, then each Section is built once: an edit to a
    # long spec re-parses one chunk and re-assembles the rest cheaply.
    chunks: list[Chunk] = []
    heads: list[tuple[int, str, str, bool, Range | None, Range]] = []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        heading: Heading | None = scan.headings[index - 1] if index else None
        chunks.append(_place("\n".join(lines[start:end]), start, layout))  # already shifted
        if heading is None:
            heads.append((0, "", "", False, None, Range.of(start, 0, start, 0)))
            continue
        raw = heading.text
        m = EXPLICIT_ID.search(raw)
        if m:
            text_line = lines[heading.text_line]
            title = raw[: m.start()].strip()
            section_id, explicit_id = m.group(1), True
            col = heading.text_column + m.start(0) + m.group(0).find("{")
            brace_end = heading.text_column + m.start(0) + m.group(0).find("}") + 1
            id_range: Range | None = Range.of(
                heading.text_line,
                utf16_len(text_line[:col]),
                heading.text_line,
                utf16_len(text_line[:brace_end]),
            )
        else:
            title = raw.strip()
            section_id, explicit_id, id_range = slugger.slug(title), False, None
        heading_range = Range.of(
            heading.first_line, 0, heading.last_line, utf16_len(lines[heading.last_line])
        )
        if explicit_id and section_id in seen_ids:
            problems.append(
                Finding(
                    Code.DUPLICATE_ID,
                    Severity.ERROR,
                    f"duplicate section ID '{section_id}'",
                    path,
                    id_range or heading_range,
                )
            )
        seen_ids.setdefault(section_id, id_range or heading_range)
        heads.append((heading.level, title, section_id, explicit_id, id_range, heading_range))

    count = len(heads)
    parents: list[int | None] = []
    children: dict[int, list[int]] = {}
    stack: list[int] = []  # indices of open ancestors
    for index in range(count):
        level = heads[index][0]
        while stack and heads[stack[-1]][0] >= level and level > 0:
            stack.pop()
        parent = stack[-1] if stack else None
        parents.append(parent)
        if parent is not None:
            children.setdefault(parent, []).append(index)
        if level > 0:
            stack.append(index)

    # A section runs to the next heading of the same or higher level: one pass with
    # a stack of the headings still open gives each its last line.
    own_end = [end - 1 for end in ends]
    last_line = list(own_end)
    still_open: list[int] = []
    for index in range(count):
        level = heads[index][0]
        while still_open and level > 0 and heads[still_open[-1]][0] >= level:
            last_line[still_open.pop()] = own_end[index - 1]
        if level > 0:
            still_open.append(index)
    for i in still_open:
        last_line[i] = own_end[-1]
    linked = layout.link(path, [c.requirements for c in chunks])
    finished: list[Section] = []
    for index in range(count):
        level, title, section_id, explicit_id, id_range, heading_range = heads[index]
        chunk = chunks[index]
        last = last_line[index]
        while last > heading_range.start.line and not lines[last].strip():
            last -= 1
        end_pos = Position(last, utf16_len(lines[last]) if last < len(lines) else 0)
        end_pos = end_pos if end_pos > heading_range.end else heading_range.end
        finished.append(
            Section(
                index=index,
                level=level,
                title=title,
                id=section_id,
                explicit_id=explicit_id,
                heading_range=heading_range,
                id_range=id_range,
                range=Range(heading_range.start, end_pos),
                own_end_line=own_end[index],
                parent=parents[index],
                children=tuple(children.get(index, ())),
                directives=chunk.directives,
                code_blocks=chunk.code_blocks,
                clarifications=chunk.clarifications,
                requirements=linked[index],
                requirement_refs=chunk.requirement_refs,
                path_refs=chunk.path_refs,
                unknown_directives=chunk.unknown_directives,
                own_text=chunk.text,
                links=chunk.links,
            )
        )
    return SpecDocument(
        path=path,
        text_hash=sha256_text(text),
        sections=tuple(finished),
        front_matter=front,
        front_matter_range=front_range,
        problems=tuple(problems),
        line_count=len(lines),
        layout=layout.name,
    )
