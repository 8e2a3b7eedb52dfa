"""Traces written in code comments (`# FR-003`, `// covers: specs/auth.spec.md#login`),
navigable both ways: from the comment to the requirement or section it names
(definition, hover), and from a requirement or section to the comments that
name it (references). The same patterns and the same comment scan as `specls
trace` (`code/comments.py`), so the editor and the matrix agree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from specls import code
from specls.code.comments import DEFAULT_PATTERNS, CommentTrace, comment_traces
from specls.dialect import Section, SpecDocument
from specls.ide.index import index_for
from specls.ide.snapshot import Snapshot
from specls.outputs import OutputReader
from specls.query import Place
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
    index = index_for(snap.workspace)
    if "#" in trace.token:
        path, _, frag = trace.token.partition("#")
        for base in (rel, ""):
            doc_path = resolve_path(base, path)
            if doc_path is not None and (found := index.section(f"{doc_path}#{frag}")):
                return Named(trace, section=found)
        return Named(trace)
    places = [
        p for rid in expand_requirement_ref(trace.token) for p in index.requirement_definitions(rid)
    ]
    return Named(trace, requirements=tuple(places))


def named_at(snap: Snapshot, rel: str, pos: Position) -> Named | None:
    """The comment trace under `pos` in a code file, and what it names."""
    for t in traces_in(snap, rel):
        if t.range.contains(pos):
            return resolve(snap, rel, t)
    return None


class CommentIndex:
    """The comment traces of every code file on disk, by the IDs and sections they name.

    Built once per snapshot's reader (the disk as of that snapshot) on the
    first request that asks who names a requirement or a section; a file
    whose (size, mtime) did not change keeps the traces found the last time,
    so a rebuild walks and stats, and reads only what changed. Open buffers
    are not in it: `comments_naming` scans them as they are.
    """

    def __init__(self, snap: Snapshot, previous: CommentIndex | None) -> None:
        ws = snap.workspace
        patterns = _patterns(snap)
        disk = snap.reader.with_buffers({})
        old = previous.files if previous is not None and previous.patterns == patterns else {}
        self.patterns: tuple[str, ...] = patterns
        self.files: dict[str, tuple[tuple[int, int] | None, tuple[CommentTrace, ...]]] = {}
        self.order: dict[str, int] = {}
        self.by_id: dict[str, list[tuple[str, CommentTrace]]] = {}
        self.by_ref: dict[str, list[tuple[str, CommentTrace]]] = {}
        plain = Snapshot(ws, snap.analysis, disk)
        for n, rel in enumerate(code_files(ws)):
            self.order[rel] = n
            stamp = disk.state(rel).stamp
            cached = old.get(rel)
            traces = cached[1] if cached is not None and cached[0] == stamp else None
            if traces is None:
                traces = traces_in(plain, rel)
            self.files[rel] = (stamp, traces)
            for t in traces:
                if "#" in t.token:
                    path, _, frag = t.token.partition("#")
                    keys = {resolve_path(base, path) for base in (rel, "")}
                    for key in keys:
                        if key is not None:
                            self.by_ref.setdefault(f"{key}#{frag}", []).append((rel, t))
                else:
                    for rid in dict.fromkeys(expand_requirement_ref(t.token)):
                        self.by_id.setdefault(rid, []).append((rel, t))


def _key(snap: Snapshot) -> tuple[object, ...]:
    """What decides which files are scanned and how: the trace patterns and globs."""
    config = snap.workspace.config
    return (_patterns(snap), tuple(config.trace.code), tuple(config.exclude))


def _disk(reader: OutputReader) -> object:
    """The disk cache a reader view shares with the other views of its root (the
    server takes one view per analysed snapshot, all over the same cache)."""
    return getattr(reader, "_files", reader)


@dataclass
class _Kept:
    """The newest comment index of a root, the reader it was built with, and whether a
    newer one is being built."""

    index: CommentIndex
    reader: OutputReader
    key: tuple[object, ...]
    refreshing: bool = False


_comment_lock = threading.Lock()
_kept: dict[Path, _Kept] = {}


def comment_index(snap: Snapshot) -> CommentIndex:
    """The comment index of the snapshot's root.

    The first request builds it (walking the root). A request on a newer
    snapshot of the same root (an edit made the server analyse again, with
    the same disk cache) is answered from the newest index while a newer one
    is built in the background, so a keystroke never makes a request walk and
    stat every code file; a file changed on disk shows up once that build is
    done. Any other reader (a new disk cache: the CLI, a test) builds its own.
    """
    key = _key(snap)
    with _comment_lock:
        kept = _kept.get(snap.root)
        if kept is not None and kept.key == key:
            if kept.reader is snap.reader:
                return kept.index
            if _disk(kept.reader) is _disk(snap.reader):
                if not kept.refreshing:
                    kept.refreshing = True
                    threading.Thread(
                        target=_refresh, args=(snap, kept), name="specls-comments", daemon=True
                    ).start()
                return kept.index
        previous = kept.index if kept is not None and kept.key == key else None
    built = CommentIndex(snap, previous)
    with _comment_lock:
        _kept[snap.root] = _Kept(built, snap.reader, key)
    return built


def _refresh(snap: Snapshot, kept: _Kept) -> None:
    try:
        built = CommentIndex(snap, kept.index)
    finally:
        with _comment_lock:
            kept.refreshing = False
    with _comment_lock:
        if _kept.get(snap.root) is kept:
            _kept[snap.root] = _Kept(built, snap.reader, kept.key)


def comments_naming(
    snap: Snapshot, rids: set[str] | None = None, section_ref: str | None = None
) -> list[tuple[str, Range]]:
    """Every comment in the workspace's code that names one of `rids`, or `section_ref`.

    From the comment index, in file then comment order; an open buffer's
    comments as the buffer has them.
    """
    index = comment_index(snap)
    candidates: list[tuple[str, CommentTrace]] = []
    if section_ref is not None:
        candidates += index.by_ref.get(section_ref, [])
    elif rids:
        for rid in rids:
            candidates += index.by_id.get(rid, [])
    candidates = [(rel, t) for rel, t in candidates if rel not in snap.texts]
    for rel in snap.texts:
        if rel in index.order:
            candidates += [(rel, t) for t in traces_in(snap, rel)]
    found: dict[tuple[str, Range], tuple[int, int, int]] = {}
    for rel, t in candidates:
        if section_ref is not None and "#" in t.token:
            named = resolve(snap, rel, t).section
            if named is None or unit_ref(named[0].path, named[1]) != section_ref:
                continue
        elif not (rids and "#" not in t.token and rids & set(expand_requirement_ref(t.token))):
            continue
        key = (t.range.start.line, t.range.start.character)
        found.setdefault((rel, t.range), (index.order[rel], *key))
    return sorted(found, key=lambda k: found[k])
