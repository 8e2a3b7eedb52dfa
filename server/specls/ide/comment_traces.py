"""Traces written in code comments (`# FR-003`, `// covers: specs/auth.spec.md#login`),
navigable both ways: from the comment to the requirement or section it names
(definition, hover), and from a requirement or section to the comments that
name it (references). The same patterns and the same comment scan as `specls
trace` (`code/comments.py`), so the editor and the matrix agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from specls import code
from specls.code.comments import DEFAULT_PATTERNS, CommentTrace, comment_traces
from specls.dialect import Section, SpecDocument
from specls.ide.snapshot import Snapshot
from specls.query import Place, requirement_definitions
from specls.status import expand_requirement_ref
from specls.text import Position, Range
from specls.trace import MAX_CODE_FILE, code_files
from specls.workspace import resolve_path, unit_ref


@dataclass(frozen=True, slots=True)
class Named:
    """What one comment trace names: requirement definitions, or a section."""

    trace: CommentTrace
    requirements: tuple[Place, ...] = ()
    section: tuple[SpecDocument, Section] | None = None


def _patterns(snap: Snapshot) -> tuple[str, ...]:
    return tuple(snap.workspace.config.trace.patterns or DEFAULT_PATTERNS)


def traces_in(snap: Snapshot, rel: str) -> tuple[CommentTrace, ...]:
    """The comment traces of one code file (its open buffer, else the disk)."""
    language = code.language_for_path(rel)
    text = snap.text(rel)
    if language is None or text is None or len(text) > MAX_CODE_FILE:
        return ()
    return comment_traces(text, language, _patterns(snap))


def resolve(snap: Snapshot, rel: str, trace: CommentTrace) -> Named:
    """`doc.md#id` relative to the code file or the root; else requirement IDs."""
    ws = snap.workspace
    if "#" in trace.token:
        path, _, frag = trace.token.partition("#")
        for base in (rel, ""):
            doc_path = resolve_path(base, path)
            if doc_path is not None and (found := ws.section(f"{doc_path}#{frag}")):
                return Named(trace, section=found)
        return Named(trace)
    places = [
        p for rid in expand_requirement_ref(trace.token) for p in requirement_definitions(ws, rid)
    ]
    return Named(trace, requirements=tuple(places))


def named_at(snap: Snapshot, rel: str, pos: Position) -> Named | None:
    """The comment trace under `pos` in a code file, and what it names."""
    for t in traces_in(snap, rel):
        if t.range.contains(pos):
            return resolve(snap, rel, t)
    return None


def comments_naming(
    snap: Snapshot, rids: set[str] | None = None, section_ref: str | None = None
) -> list[tuple[str, Range]]:
    """Every comment in the workspace's code that names one of `rids`, or `section_ref`."""
    found: list[tuple[str, Range]] = []
    for rel in code_files(snap.workspace):
        for t in traces_in(snap, rel):
            if section_ref is not None and "#" in t.token:
                named = resolve(snap, rel, t).section
                if named is not None and unit_ref(named[0].path, named[1]) == section_ref:
                    found.append((rel, t.range))
            elif rids and "#" not in t.token and rids & set(expand_requirement_ref(t.token)):
                found.append((rel, t.range))
    return found
