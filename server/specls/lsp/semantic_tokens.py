"""Semantic tokens (full): directive labels, section IDs and requirement IDs.

A small legend on top of the Markdown grammar the editor already has:
`@generate` and friends are keywords, section IDs (the `{#id}` suffix and the
`#id` of a `@use`) namespaces, requirement IDs enum members. Definitions carry
`declaration`; every token carries the custom `specls` modifier so a theme
can single them out. Relative encoding, UTF-16 columns.
"""

from __future__ import annotations

from lsprotocol import types

from specls.dialect import DirectiveKind, SpecDocument
from specls.lsp.snapshot import Snapshot
from specls.text import Range, split_lines, utf16_to_codepoint
from specls.workspace import Workspace

TOKEN_TYPES = ["keyword", "namespace", "enumMember"]
TOKEN_MODIFIERS = ["declaration", "specls"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)

KEYWORD, NAMESPACE, ENUM_MEMBER = range(3)
DECLARATION, SPECLS = 1, 2  # modifier bits

Token = tuple[int, int, int, int, int]  # line, start, length, type, modifiers


def fragment_range(target: Range, fragment: str, lines: list[str]) -> Range | None:
    """The `id` of a link target `path#id` (one line), UTF-16."""
    line_no = target.start.line
    if line_no >= len(lines) or target.end.line != line_no:
        return None
    end = target.end.character
    start = end - len(fragment)  # fragments are ASCII IDs, one UTF-16 unit per character
    line = lines[line_no]
    a, b = utf16_to_codepoint(line, start), utf16_to_codepoint(line, end)
    if line[a:b] != fragment or line[a - 1 : a] != "#":
        return None
    return Range.of(line_no, start, line_no, end)


def _token(rng: Range, kind: int, modifiers: int) -> Token | None:
    if rng.start.line != rng.end.line or rng.end.character <= rng.start.character:
        return None
    length = rng.end.character - rng.start.character
    return (rng.start.line, rng.start.character, length, kind, modifiers | SPECLS)


def tokens(ws: Workspace, doc: SpecDocument, text: str) -> list[Token]:
    lines = split_lines(text)
    found: list[Token | None] = []
    for section in doc.sections:
        if section.id_range is not None:  # `{#id}`: the ID between `{#` and `}`
            r = section.id_range
            inner = Range.of(r.start.line, r.start.character + 2, r.end.line, r.end.character - 1)
            found.append(_token(inner, NAMESPACE, DECLARATION))
        for d in section.directives:
            found.append(_token(d.label_range, KEYWORD, 0))
            if d.kind is DirectiveKind.USE and d.fragment and ws.target_ref(doc.path, d):
                frag = fragment_range(d.target_range, d.fragment, lines)
                if frag is not None:
                    found.append(_token(frag, NAMESPACE, 0))
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
    data: list[int] = []
    line = start = 0
    for tok_line, tok_start, length, kind, modifiers in toks:
        delta_line = tok_line - line
        delta_start = tok_start - start if delta_line == 0 else tok_start
        data += [delta_line, delta_start, length, kind, modifiers]
        line, start = tok_line, tok_start
    return data


def run(snap: Snapshot, params: types.SemanticTokensParams) -> types.SemanticTokens:
    rel = snap.rel(params.text_document.uri)
    doc = snap.workspace.docs.get(rel) if rel else None
    if doc is None or rel is None:
        return types.SemanticTokens(data=[])
    return types.SemanticTokens(data=encode(tokens(snap.workspace, doc, snap.text(rel) or "")))
