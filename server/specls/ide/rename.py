"""Rename a section ID: its `{#id}`, every link to it in every spec, `spec.lock`;
or a Spec Kit requirement/task ID (`FR-003`, `T012`): its definition and every trace.

`prepare_rename` accepts the `{#id}`, the heading, or the `#id` of a link to
the section. Links are the ones the dialect recorded (`Section.links`: real
Markdown links, so never text in a code span or an escaped `\\[x](#id)`).
Renaming a section whose ID is a heading slug inserts an explicit
`{#new-id}` (sections whose slug would shift because of it get their current
ID pinned the same way). The result is one source change, `spec.lock`
included, so the editor applies and undoes it as one change.

A rename is not a content change: a unit that was fresh stays fresh. The
lock's `spec`/`inputs` hashes of units whose text or dependencies the
rename touches are rewritten when they matched before the rename (a unit
already stale stays stale).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specls.dialect import Section, SpecDocument, parse_document
from specls.ide.edits import Edit, SourceChange, apply_edits, sorted_change
from specls.ide.index import index_for
from specls.ide.lock_rewrite import lock_edits, new_hashes
from specls.ide.snapshot import Snapshot
from specls.ide.symbols import title_range
from specls.ide.targets import hit_at, link_ref
from specls.layouts import layout_of
from specls.lock import LOCK_NAME
from specls.query import Place
from specls.text import Position, Range, split_lines, utf16_len, utf16_to_codepoint
from specls.workspace import unit_ref

VALID_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$")
_WRITTEN_ID = re.compile(r"[A-Z]+-?\d+")  # an ID as written inside a range (`T030`, `FR-054`)


class RenameRefused(Exception):
    """A rename the user asked for that cannot be done; the message says why.

    `bad_name` tells a malformed new name (the request's parameters are
    wrong) from a rename refused for the state of the workspace.
    """

    def __init__(self, message: str, *, bad_name: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.bad_name = bad_name


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the rename box edits: its range and the current name."""

    range: Range
    placeholder: str


def id_range(section: Section, lines: list[str]) -> Range:
    """What the rename box edits: the ID inside `{#…}`, else the heading text."""
    r = section.id_range
    if r is not None:
        return Range.of(r.start.line, r.start.character + 2, r.end.line, r.end.character - 1)
    return title_range(section, lines)


def section_at(
    snap: Snapshot, doc: SpecDocument, pos: Position
) -> tuple[SpecDocument, Section, Range] | None:
    """The section to rename at `pos` (its heading, or a link to it), and the range to edit."""
    for link in doc.section_at(pos.line).links:
        if link.fragment and link.fragment_range.contains(pos):
            ref = link_ref(snap.workspace, doc.path, link)
            found = index_for(snap.workspace).section(ref) if ref else None
            return (found[0], found[1], link.fragment_range) if found else None
    section = doc.section_at(pos.line)
    if section.level == 0 or not section.id:
        return None
    if not section.heading_range.contains(pos) and pos != section.heading_range.end:
        return None
    text = snap.text(doc.path)
    return doc, section, id_range(section, split_lines(text or ""))


def written_ids(line: str, rng: Range) -> list[tuple[str, Range]]:
    """The IDs written inside a one-line reference (the two ends of `T030-T032`), with ranges."""
    if rng.start.line != rng.end.line:
        return []
    start = utf16_to_codepoint(line, rng.start.character)
    end = utf16_to_codepoint(line, rng.end.character)
    found = []
    for m in _WRITTEN_ID.finditer(line, start, end):
        a, b = utf16_len(line[: m.start()]), utf16_len(line[: m.end()])
        found.append((m.group(0), Range.of(rng.start.line, a, rng.start.line, b)))
    return found


def _line(snap: Snapshot, rel: str, line: int) -> str:
    lines = split_lines(snap.text(rel) or "")
    return lines[line] if line < len(lines) else ""


def requirement_at(snap: Snapshot, doc: SpecDocument, pos: Position) -> tuple[str, Range] | None:
    """A renamable requirement or task ID under the cursor (definition or reference).

    The layout says which IDs are names (`Layout.renamable`): Spec Kit's
    `FR-003` and `T012` are; Kiro's `N.M` criteria are positions in a list.
    In a range (`T030-T032`, `FR-054 through FR-069`) only the end under the
    cursor is an ID that can be renamed.
    """
    hit = hit_at(doc, pos)
    if hit.requirement is not None:
        rid, rng = hit.requirement.id, hit.requirement.range
    elif hit.requirement_ref is not None:
        rid, rng = hit.requirement_ref.text, hit.requirement_ref.range
        if not layout_of(doc).renamable(rid):
            line = _line(snap, doc.path, rng.start.line)
            ends = [(i, r) for i, r in written_ids(line, rng) if r.contains(pos)]
            if not ends:
                return None
            rid, rng = ends[0]
    else:
        return None
    return (rid, rng) if layout_of(doc).renamable(rid) else None


def prepare_rename(snap: Snapshot, rel: str, pos: Position) -> Prepared | None:
    """What a rename at `pos` would rename, or None when nothing there can be renamed."""
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        return None
    requirement = requirement_at(snap, doc, pos)
    if requirement is not None:
        rid, rng = requirement
        return Prepared(rng, rid)
    found = section_at(snap, doc, pos)
    if found is None:
        return None
    _, section, rng = found
    return Prepared(rng, section.id)


def rename(snap: Snapshot, rel: str, pos: Position, new_name: str) -> SourceChange:
    """The edits of renaming what is at `pos` to `new_name`; `RenameRefused` if it cannot."""
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        raise RenameRefused(f"{rel} is not a spec of this workspace")
    requirement = requirement_at(snap, doc, pos)
    if requirement is not None:
        return rename_requirement(snap, doc, requirement[0], new_name.strip())
    found = section_at(snap, doc, pos)
    if found is None:
        raise RenameRefused("rename works on a section heading, its {#id}, or a link to a section")
    target_doc, section, _ = found
    return rename_section(snap, target_doc, section, new_name.strip().lstrip("#"))


# --- sections ---------------------------------------------------------------------------


def _definition_edits(section: Section, lines: list[str], new_id: str) -> list[Edit]:
    if section.id_range is not None:
        return [(id_range(section, lines), new_id)]
    end = title_range(section, lines).end
    return [(Range(end, end), f" {{#{new_id}}}")]


def _doc_edits(doc: SpecDocument, text: str, section: Section, new_id: str) -> list[Edit]:
    """The definition, plus pins for sections whose slug would shift because of it."""
    lines = split_lines(text)
    edits = _definition_edits(section, lines, new_id)
    for _ in range(3):
        after = parse_document(doc.path, apply_edits(text, edits))
        if len(after.sections) != len(doc.sections):
            break
        shifted = [
            s
            for s, t in zip(doc.sections, after.sections, strict=True)
            if s.index != section.index and s.id != t.id
        ]
        if not shifted:
            return edits
        for s in shifted:
            edits += _definition_edits(s, lines, s.id)
    raise RenameRefused(f"renaming #{section.id} would change other section IDs")


def _with_lock(
    snap: Snapshot, by_file: SourceChange, texts: dict[str, str], renames: dict[str, str]
) -> SourceChange:
    """The change plus the `spec.lock` edits that keep fresh units fresh."""
    ws = snap.workspace
    after = ws
    for rel, edits in by_file.items():
        after = after.with_text(rel, apply_edits(texts[rel], edits))
    lock_text = snap.text(LOCK_NAME) if ws.lock is not None else None
    if lock_text is not None:
        edits = lock_edits(lock_text, renames, new_hashes(snap, ws, after, renames))
        if edits:
            by_file[LOCK_NAME] = edits
    return sorted_change(by_file)


def rename_section(
    snap: Snapshot, doc: SpecDocument, section: Section, new_id: str
) -> SourceChange:
    if not VALID_ID.match(new_id):
        raise RenameRefused(
            f"'{new_id}' is not a valid section ID: use letters, digits and _ . : -"
            " (no spaces), starting with a letter, digit or _",
            bad_name=True,
        )
    if new_id != section.id and doc.section_by_id(new_id) is not None:
        raise RenameRefused(f"{doc.path} already has a section #{new_id}")
    old_ref, new_ref = unit_ref(doc.path, section), f"{doc.path}#{new_id}"
    ws = snap.workspace
    by_file: SourceChange = {}
    texts: dict[str, str] = {}
    linking = set(index_for(ws).linking_docs(old_ref)) | {doc.path}
    for other in (ws.docs[p] for p in sorted(linking) if p in ws.docs):
        text = snap.text(other.path)
        if text is None:
            continue
        texts[other.path] = text
        edits: list[Edit] = [
            (link.fragment_range, new_id)
            for s in other.sections
            for link in s.links
            if link.fragment and link_ref(ws, other.path, link) == old_ref
        ]
        if other.path == doc.path:
            edits += _doc_edits(doc, text, section, new_id)
        if edits:
            by_file[other.path] = edits
    return _with_lock(snap, by_file, texts, {old_ref: new_ref})


# --- requirement IDs --------------------------------------------------------------------


def _trace_edits(snap: Snapshot, place: Place, rid: str, new_id: str) -> list[Edit]:
    """The edit of one definition or trace: the ID itself, or the end of a range naming it.

    An ID inside a range but at neither end (`T031` in `T030-T032`) is not
    written there: renaming it would silently take it out of the range, so
    the rename is refused and the range named.
    """
    written = written_ids(_line(snap, place.doc.path, place.range.start.line), place.range)
    if [i for i, _ in written] == [rid]:
        return [(place.range, new_id)]
    ends = [(r, new_id) for i, r in written if i == rid]
    if ends:
        return ends
    line = place.range.start.line + 1
    raise RenameRefused(
        f"{rid} is inside the range {place.text} ({place.doc.path}:{line}) but not written"
        " there: split the range by hand, then rename"
    )


def rename_requirement(snap: Snapshot, doc: SpecDocument, rid: str, new_id: str) -> SourceChange:
    """The definition and every trace of `rid` (as seen from `doc`) become `new_id`."""
    scheme = re.match(r"[A-Z]+-?", rid)
    if not layout_of(doc).renamable(new_id) or (scheme and not new_id.startswith(scheme.group(0))):
        raise RenameRefused(
            f"'{new_id}' is not a valid ID here: keep the form of {rid} (e.g. FR-012, T042)",
            bad_name=True,
        )
    ws = snap.workspace
    index = index_for(ws)
    if new_id != rid and index.requirement_definitions(new_id, doc.path):
        raise RenameRefused(f"{new_id} is already defined")
    places = [*index.requirement_definitions(rid, doc.path), *index.requirement_uses(rid, doc.path)]
    by_file: SourceChange = {}
    for place in places:
        by_file.setdefault(place.doc.path, []).extend(_trace_edits(snap, place, rid, new_id))
    # An ID is a name, not content: units fresh before the rename stay fresh.
    texts: dict[str, str] = {}
    for rel in list(by_file):
        text = snap.text(rel)
        if text is None:
            del by_file[rel]
        else:
            texts[rel] = text
    return _with_lock(snap, by_file, texts, {})
