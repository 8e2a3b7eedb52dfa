"""Parse one section's own text: directives, code blocks, markers, and a layout's symbols.

A chunk always starts outside any fence (it starts at a heading), so it can
be parsed alone and cached by its text: an edit re-parses only the chunk it
touches. A regex over the source finds each candidate link and its exact
position; mistune decides which candidates really are links (not in a code
span, not escaped, not in indented code or HTML). The two are paired by a
numbered marker written at the start of each candidate's label before
mistune reads the text, so a candidate mistune rejects, or a link the regex
does not see, can never shift the pairing of the links after it. The same
detection finds directives (`[@use](…)`) and every other link with a
`#fragment` (`[the cart](cart.spec.md#cart)`), which rename and semantic
tokens use.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from specls.dialect.blocks import scan_fences
from specls.dialect.model import (
    Chunk,
    CodeBlock,
    Directive,
    DirectiveKind,
    Link,
    Marker,
    Symbols,
    SymbolScanner,
)
from specls.text import Position, Range, utf16_len

_LINK = re.compile(
    r"\[([^\[\]\n]*)\]\([ \t]*(<[^>\n]*>|[^()\s]*)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"
)
_DIRECTIVE_LABEL = re.compile(r"@[A-Za-z][\w-]*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_MARK = "\ue000"  # private use: a marker cannot be mistaken for label text
_MARKED_LABEL = re.compile(_MARK + r"(\d+)" + _MARK)
_CLARIFY = re.compile(r"\[NEEDS CLARIFICATION(?::[ \t]*([^\]\n]*))?\]")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
# A marker talked about, not used: "Use [NEEDS CLARIFICATION: …] for …", "mark it with
# [NEEDS CLARIFICATION]", "No [NEEDS CLARIFICATION] markers remain", a checklist item.
_MENTION_BEFORE = re.compile(
    r"(?:\b(?:use|using|mark(?:ed|s)?(?:\s+\w+)?\s+(?:with|as)|e\.g\.,?|such as|no|any|each|every"
    r"|all|maximum(?:\s+of)?(?:\s+\d+)?|remaining|extract(?:\s+all)?)\s*)$",
    re.IGNORECASE,
)
_MENTION_AFTER = re.compile(r"^\s*markers?\b", re.IGNORECASE)
_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s")


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """mistune, imported when the first link candidate is checked (not at server start)."""
    import mistune

    return mistune.create_markdown(renderer=None)


def _col(line: str, index: int) -> int:
    return utf16_len(line[:index])


def _range(line_no: int, line: str, start: int, end: int) -> Range:
    return Range(Position(line_no, _col(line, start)), Position(line_no, _col(line, end)))


def _real_links(tokens: list[dict[str, Any]], out: dict[int, str]) -> None:
    """Candidate number → decoded URL, for each marked candidate mistune saw as a link."""
    stack = list(reversed(tokens))  # iterative: deeply nested inline markup must not recurse
    while stack:
        token = stack.pop()
        if token.get("type") == "link":
            children = token.get("children") or []
            first = children[0] if children else {}
            if first.get("type") == "text" and (m := _MARKED_LABEL.match(first.get("raw", ""))):
                out[int(m.group(1))] = unquote(token.get("attrs", {}).get("url", ""))
        children = token.get("children")
        if isinstance(children, list):
            stack.extend(reversed(children))


_MD_PATH = re.compile(r"<?[^<>#:?]*\.md>?", re.IGNORECASE)  # `./spec.md`, `../002-x/plan.md`


def _wanted(m: re.Match[str]) -> bool:
    """A directive, a link whose target has a `#fragment`, or a relative link to a
    Markdown file (`[spec.md](./spec.md)`, between a feature's files): the links specls reads."""
    target = m.group(2)
    return (
        bool(_DIRECTIVE_LABEL.fullmatch(m.group(1)))
        or "#" in target
        or bool(_MD_PATH.fullmatch(target))
    )


def _candidate_links(
    lines: list[str], fenced: set[int]
) -> list[tuple[int, re.Match[str], str | None]]:
    """Every wanted `[label](target)` outside fences: (line, match, decoded URL or None
    when Markdown does not read it as a link)."""
    hits: list[tuple[int, re.Match[str]]] = []
    marked = list(lines)
    for line_no, line in enumerate(lines):
        if line_no in fenced or "](" not in line:
            continue
        parts: list[str] = []
        last = 0
        for m in _LINK.finditer(line):
            if not _wanted(m):
                continue
            parts += [line[last : m.start(1)], f"{_MARK}{len(hits)}{_MARK}"]
            last = m.start(1)
            hits.append((line_no, m))
        if parts:
            marked[line_no] = "".join(parts) + line[last:]
    real: dict[int, str] = {}
    if hits:
        _real_links(_markdown()("\n".join(marked)), real)  # type: ignore[arg-type]
    return [(line_no, m, real.get(i)) for i, (line_no, m) in enumerate(hits)]


def _link(line_no: int, line: str, m: re.Match[str], url: str) -> Link | None:
    """The link's target and fragment ranges, when its URL has a fragment and no scheme;
    a relative `.md` link without one has an empty fragment (at the target's end)."""
    path, sep, fragment = url.partition("#")
    raw = m.group(2)
    target = raw[1:-1] if raw.startswith("<") else raw
    start = m.start(2) + (1 if raw.startswith("<") else 0)
    if not sep and _MD_PATH.fullmatch(raw) and not _SCHEME.match(url) and url:
        whole = _range(line_no, line, start, start + len(target))
        return Link(target, path, "", whole, Range(whole.end, whole.end))
    if not sep or not fragment or _SCHEME.match(url) or "#" not in target:
        return None
    hash_at = start + target.index("#")
    return Link(
        target=target,
        path=path,
        fragment=fragment,
        range=_range(line_no, line, start, start + len(target)),
        fragment_range=_range(line_no, line, hash_at + 1, start + len(target)),
    )


def _parse_info(info: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """Language and `file=` attribute of a fence info string, with the value's span."""
    words = info.split()
    language = words[0] if words and "=" not in words[0] else None
    m = re.search(r"(?:^|\s)file=(\"[^\"]*\"|'[^']*'|\S+)", info)
    if not m:
        return language, None, None
    value = m.group(1)
    start, end = m.start(1), m.end(1)
    if value[:1] in "\"'":
        value, start, end = value[1:-1], start + 1, end - 1
    return language, value, (start, end)


def _code_blocks(lines: list[str]) -> tuple[list[CodeBlock], set[int]]:
    blocks: list[CodeBlock] = []
    fenced: set[int] = set()
    for fence in scan_fences(lines):
        fenced.update(range(fence.open_line, fence.close_line + 1))
        open_text = lines[fence.open_line]
        info_start = open_text.find(fence.info) if fence.info else len(open_text)
        language, file, span = _parse_info(fence.info)
        body_end = fence.close_line if fence.closed else fence.close_line + 1
        content = "\n".join(lines[fence.open_line + 1 : body_end])
        if body_end > fence.open_line + 1:
            content += "\n"
        last = lines[fence.close_line]
        blocks.append(
            CodeBlock(
                info=fence.info,
                language=language,
                file=file,
                content=content,
                range=Range(
                    Position(fence.open_line, 0), Position(fence.close_line, utf16_len(last))
                ),
                info_range=_range(
                    fence.open_line, open_text, info_start, info_start + len(fence.info)
                ),
                file_range=(
                    _range(fence.open_line, open_text, info_start + span[0], info_start + span[1])
                    if span
                    else None
                ),
            )
        )
    return blocks, fenced


def _is_mention(line: str, m: re.Match[str]) -> bool:
    """Whether a clarification marker is quoted, commented out or talked about, not open."""
    inside = (*_CODE_SPAN.finditer(line), *_COMMENT.finditer(line))
    if any(c.start() <= m.start() and m.end() <= c.end() for c in inside):
        return True
    if _CHECKBOX.match(line) and not m.group(1):
        return True  # "- [x] No [NEEDS CLARIFICATION] markers remain"
    return bool(_MENTION_BEFORE.search(line[: m.start()]) or _MENTION_AFTER.match(line[m.end() :]))


_NO_SYMBOLS = Symbols()


@lru_cache(maxsize=16384)
def parse_chunk(text: str, scanner: SymbolScanner | None = None) -> Chunk:
    """One section's own text, parsed; with `scanner`, its layout's symbols too."""
    lines = text.split("\n")
    blocks, fenced = _code_blocks(lines)
    directives: list[Directive] = []
    unknown: list[Marker] = []
    clarifications: list[Marker] = []
    kinds = {k.value for k in DirectiveKind}
    links: list[Link] = []
    for line_no, m, url in _candidate_links(lines, fenced):
        if url is None:
            continue  # in a code span, escaped or otherwise not a link
        line = lines[line_no]
        if (link := _link(line_no, line, m, url)) is not None:
            links.append(link)
        if not _DIRECTIVE_LABEL.fullmatch(m.group(1)):
            continue
        raw_target = m.group(2)
        target = raw_target[1:-1] if raw_target.startswith("<") else raw_target
        name = m.group(1)[1:]
        if name not in kinds:
            if not re.match(r"[a-z]+:", target):
                unknown.append(Marker(name, _range(line_no, line, m.start(1), m.end(1))))
            continue
        path, _, fragment = url.partition("#")  # escapes and %-encoding resolved
        t_start = m.start(2) + (1 if raw_target.startswith("<") else 0)
        directives.append(
            Directive(
                kind=DirectiveKind(name),
                target=target,
                path=path,
                fragment=fragment or None,
                range=_range(line_no, line, m.start(), m.end()),
                label_range=_range(line_no, line, m.start(1), m.end(1)),
                target_range=_range(line_no, line, t_start, t_start + len(target)),
            )
        )
    for line_no, line in enumerate(lines):
        if line_no in fenced:
            continue
        for m in _CLARIFY.finditer(line):
            if _is_mention(line, m):
                continue
            clarifications.append(
                Marker((m.group(1) or "").strip(), _range(line_no, line, m.start(), m.end()))
            )
    symbols = scanner.scan(lines, frozenset(fenced)) if scanner is not None else _NO_SYMBOLS
    return Chunk(
        text=text,
        directives=tuple(directives),
        code_blocks=tuple(blocks),
        clarifications=tuple(clarifications),
        requirements=symbols.requirements,
        requirement_refs=symbols.refs,
        path_refs=symbols.paths,
        unknown_directives=tuple(unknown),
        links=tuple(links),
    )
