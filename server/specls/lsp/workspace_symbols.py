"""Workspace symbols: sections and requirement IDs of every root, fuzzy-matched.

The query matches when its characters appear in order in a symbol's name or
ID (case-insensitive), like VS Code's quick open; matches at word starts and
runs of consecutive characters score higher, and shorter names win ties.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from specls.lsp.convert import location
from specls.lsp.document_symbols import requirement_detail, requirement_kind, section_kind
from specls.lsp.snapshot import Snapshot

LIMIT = 256
_SEPARATORS = " -_./:#"


def fuzzy_score(query: str, candidate: str) -> int | None:
    """A score when `query` is a subsequence of `candidate` (ignoring case), else None."""
    if not query:
        return 0
    q, c = query.lower(), candidate.lower()
    score = 0
    pos = 0
    previous = -2
    for ch in q:
        if ch == " ":
            continue
        found = c.find(ch, pos)
        if found < 0:
            return None
        if found == previous + 1:
            score += 5  # a run of consecutive characters
        if (
            found == 0
            or c[found - 1] in _SEPARATORS
            or (candidate[found].isupper() and not candidate[found - 1].isupper())
        ):
            score += 10  # the start of a word
        score -= min(found - pos, 5)  # skipped characters cost a little
        previous = found
        pos = found + 1
    if c.startswith(q):
        score += 20
    if c == q:
        score += 50
    return score * 100 - len(candidate)


def _best(query: str, *names: str) -> int | None:
    scores = [s for n in names if n and (s := fuzzy_score(query, n)) is not None]
    return max(scores) if scores else None


def candidates(snap: Snapshot, query: str) -> list[tuple[int, types.WorkspaceSymbol]]:
    found = []
    for doc in snap.workspace.docs.values():
        for section in doc.sections:
            if section.level > 0:
                score = _best(query, section.title, section.id)
                if score is not None:
                    found.append(
                        (
                            score,
                            types.WorkspaceSymbol(
                                name=section.title or f"#{section.id}",
                                kind=section_kind(section),
                                container_name=f"{doc.path}#{section.id}",
                                location=location(snap.root, doc.path, section.heading_range),
                            ),
                        )
                    )
            for req in section.requirements:
                score = _best(query, req.id)
                if score is not None:
                    detail = requirement_detail(req)
                    found.append(
                        (
                            score,
                            types.WorkspaceSymbol(
                                name=req.id,
                                kind=requirement_kind(req),
                                container_name=f"{doc.path} · {detail}" if detail else doc.path,
                                location=location(snap.root, doc.path, req.range),
                            ),
                        )
                    )
    return found


def run(
    snaps: Sequence[Snapshot], params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    found = [c for snap in snaps for c in candidates(snap, params.query.strip())]
    found.sort(key=lambda c: (-c[0], c[1].name, c[1].container_name or ""))
    return [symbol for _, symbol in found[:LIMIT]]
