"""Semantic tokens: directive labels, section IDs and requirement IDs.

A small legend on top of the Markdown grammar the editor already has:
`@generate` and friends are keywords; section IDs (the `{#id}` suffix and
the `#id` of every link to a spec section, as the dialect recorded it)
namespaces; requirement IDs enum members. Definitions carry `declaration`;
every token carries the custom `specls` modifier so a theme can single them
out. Relative encoding, UTF-16 columns.
"""

from __future__ import annotations

from specls.dialect import SpecDocument
from specls.ide.targets import link_ref
from specls.text import Range
from specls.workspace import Workspace

TOKEN_TYPES = ["keyword", "namespace", "enumMember"]
TOKEN_MODIFIERS = ["declaration", "specls"]

KEYWORD, NAMESPACE, ENUM_MEMBER = range(3)
DECLARATION, SPECLS = 1, 2  # modifier bits

Token = tuple[int, int, int, int, int]  # line, start, length, type, modifiers


def _token(rng: Range, kind: int, modifiers: int) -> Token | None:
    if rng.start.line != rng.end.line or rng.end.character <= rng.start.character:
        return None
    length = rng.end.character - rng.start.character
    return (rng.start.line, rng.start.character, length, kind, modifiers | SPECLS)


def tokens(ws: Workspace, doc: SpecDocument) -> list[Token]:
    """The document's tokens in order, without overlaps (the first one wins)."""
    found: list[Token | None] = []
    for section in doc.sections:
        if section.id_range is not None:  # `{#id}`: the ID between `{#` and `}`
            r = section.id_range
            inner = Range.of(r.start.line, r.start.character + 2, r.end.line, r.end.character - 1)
            found.append(_token(inner, NAMESPACE, DECLARATION))
        for d in section.directives:
            found.append(_token(d.label_range, KEYWORD, 0))
        for link in section.links:
            if link.fragment and link_ref(ws, doc.path, link) is not None:
                found.append(_token(link.fragment_range, NAMESPACE, 0))
        for req in section.requirements:
            found.append(_token(req.range, ENUM_MEMBER, DECLARATION))
        for m in section.requirement_refs:
            found.append(_token(m.range, ENUM_MEMBER, 0))
    result: list[Token] = []
    for tok in sorted(t for t in found if t is not None):
        if result and result[-1][0] == tok[0] and result[-1][1] + result[-1][2] > tok[1]:
            continue  # overlapping tokens are not allowed: keep the first
        result.append(tok)
    return result


def encode(toks: list[Token]) -> list[int]:
    """The LSP relative encoding: deltas of line and start, then length, type, modifiers."""
    data: list[int] = []
    line = start = 0
    for tok_line, tok_start, length, kind, modifiers in toks:
        delta_line = tok_line - line
        delta_start = tok_start - start if delta_line == 0 else tok_start
        data += [delta_line, delta_start, length, kind, modifiers]
        line, start = tok_line, tok_start
    return data
