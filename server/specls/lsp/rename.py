"""Rename a section ID: its `{#id}`, every link to it in every spec, `spec.lock`;
or a Spec Kit requirement/task ID (`FR-003`, `T012`): its definition and every trace.

`prepareRename` accepts the `{#id}`, the heading, or the `#id` of a link to
the section. Renaming a section whose ID is a heading slug inserts an
explicit `{#new-id}` (sections whose slug would shift because of it get
their current ID pinned the same way). The result is one `WorkspaceEdit`
of `TextDocumentEdit`s, `spec.lock` included, so the editor applies and
undoes it as one change.

A rename is not a content change: a unit that was fresh stays fresh. The
lock's `spec`/`inputs` hashes of units whose text or dependencies the
rename touches are rewritten when they matched before the rename (a unit
already stale stays stale).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest

from specls.dialect import Section, SpecDocument, parse_document
from specls.dialect.blocks import scan_blocks
from specls.lock import LOCK_NAME
from specls.lsp.convert import from_position, to_range
from specls.lsp.document_symbols import title_range
from specls.lsp.edits import workspace_edit
from specls.lsp.snapshot import Snapshot
from specls.query import hit_at, requirement_definitions, requirement_uses
from specls.text import LineIndex, Position, Range, split_lines, utf16_len
from specls.units import Graph
from specls.workspace import Workspace, resolve_path, unit_ref

VALID_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$")
_LINK = re.compile(
    r"\]\(\s*<?(?P<target>[^()\s<>#]*#[A-Za-z0-9_][A-Za-z0-9_.:\-]*)>?"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)

Edit = tuple[Range, str]


@dataclass(frozen=True, slots=True)
class Link:
    """A Markdown link to a section: where its `id` sits, and the section ref."""

    fragment_range: Range
    ref: str


def section_links(ws: Workspace, doc_path: str, text: str) -> Iterator[Link]:
    """Every `[…](path#id)` / `[…](#id)` outside fenced code that names a spec section."""
    lines = split_lines(text)
    scan = scan_blocks(lines)
    skip: set[int] = set()
    for fence in scan.fences:
        skip.update(range(fence.open_line, fence.close_line + 1))
    if scan.front_matter:
        skip.update(range(scan.front_matter.start_line, scan.front_matter.end_line + 1))
    for line_no, line in enumerate(lines):
        if line_no in skip or "](" not in line:
            continue
        for m in _LINK.finditer(line):
            path, _, fragment = m.group("target").partition("#")
            resolved = resolve_path(doc_path, path) if path else doc_path
            if resolved is None or resolved not in ws.docs:
                continue
            end = m.end("target")
            start = end - len(fragment)
            yield Link(
                Range.of(line_no, utf16_len(line[:start]), line_no, utf16_len(line[:end])),
                f"{resolved}#{fragment}",
            )


def id_range(section: Section, lines: list[str]) -> Range:
    """What the rename box edits: the ID inside `{#…}`, else the heading text."""
    r = section.id_range
    if r is not None:
        return Range.of(r.start.line, r.start.character + 2, r.end.line, r.end.character - 1)
    return title_range(section, lines)


def target_at(
    snap: Snapshot, doc: SpecDocument, text: str, pos: Position
) -> tuple[SpecDocument, Section, Range] | None:
    """The section to rename at `pos`, and the range the client highlights."""
    lines = split_lines(text)
    for link in section_links(snap.workspace, doc.path, text):
        if link.fragment_range.start.line == pos.line and (
            link.fragment_range.start <= pos <= link.fragment_range.end
        ):
            found = snap.workspace.section(link.ref)
            return (found[0], found[1], link.fragment_range) if found else None
    section = doc.section_at(pos.line)
    if section.level == 0 or not section.id:
        return None
    if not section.heading_range.contains(pos) and pos != section.heading_range.end:
        return None
    return doc, section, id_range(section, lines)


def apply_edits(text: str, edits: list[Edit]) -> str:
    index = LineIndex(text)
    spans = sorted(
        ((index.offset(r.start), index.offset(r.end), new) for r, new in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


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
    raise JsonRpcInvalidRequest(f"renaming #{section.id} would change other section IDs")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True, slots=True)
class JsonString:
    path: tuple[str | None, ...]  # keys of the enclosing objects, outermost first
    key: str | None  # for a value: the key it belongs to; for a key: None
    value: str
    start: int
    end: int


def json_strings(text: str) -> Iterator[JsonString]:
    """The string tokens of a JSON text with where they sit (enough for `spec.lock`)."""
    path: list[str | None] = []
    key: str | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "{[":
            path.append(key)
            key = None
        elif ch in "}]":
            key = path.pop() if path else None
        elif ch == '"':
            m = _STRING.match(text, i)
            if m is None:
                return
            j = m.end()
            while j < n and text[j] in " \t\r\n":
                j += 1
            value = json.loads(m.group(0))
            if j < n and text[j] == ":":
                yield JsonString(tuple(path), None, value, m.start(), m.end())
                key = value
            else:
                yield JsonString(tuple(path), key, value, m.start(), m.end())
            i = m.end()
            continue
        i += 1


def lock_edits(text: str, renames: dict[str, str], hashes: dict[str, dict[str, str]]) -> list[Edit]:
    """Rename unit keys and rewrite `spec`/`inputs` values of `spec.lock`, in place."""
    index = LineIndex(text)
    edits = []
    for tok in json_strings(text):
        new: str | None = None
        if tok.key is None and tok.path[1:] == ("units",):
            new = renames.get(tok.value)
        elif tok.key is not None and len(tok.path) == 3 and tok.path[1] == "units":
            new = hashes.get(tok.path[2] or "", {}).get(tok.key)
        if new is not None and new != tok.value:
            edits.append((index.range(tok.start, tok.end), json.dumps(new, ensure_ascii=False)))
    return edits


def _new_hashes(
    snap: Snapshot, before: Workspace, after: Workspace, renames: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Lock fields to rewrite so that units fresh before the rename stay fresh."""
    lock = before.lock
    if lock is None:
        return {}
    g1, g2 = Graph(before), Graph(after)
    out: dict[str, dict[str, str]] = {}
    for ref, entry in lock.units.items():
        u1, u2 = g1.units.get(ref), g2.units.get(renames.get(ref, ref))
        if u1 is None or u2 is None:
            continue
        changes = {}
        if entry.spec == u1.spec_hash and u2.spec_hash != entry.spec:
            changes["spec"] = u2.spec_hash
        files = {f: snap.reader.file_hash(f) for f in g1.use_files(u1) | g2.use_files(u2)}
        if entry.inputs == g1.inputs_hash(u1, files):
            new_inputs = g2.inputs_hash(u2, files)
            if new_inputs != entry.inputs:
                changes["inputs"] = new_inputs
        if changes:
            out[ref] = changes
    return out


def _text_edit(rng: Range, new: str) -> types.TextEdit:
    return types.TextEdit(range=to_range(rng), new_text=new)


def rename(snap: Snapshot, doc: SpecDocument, section: Section, new_id: str) -> types.WorkspaceEdit:
    if not VALID_ID.match(new_id):
        raise JsonRpcInvalidParams(
            f"'{new_id}' is not a valid section ID: use letters, digits and _ . : -"
            " (no spaces), starting with a letter, digit or _"
        )
    if new_id != section.id and doc.section_by_id(new_id) is not None:
        raise JsonRpcInvalidRequest(f"{doc.path} already has a section #{new_id}")
    old_ref, new_ref = unit_ref(doc.path, section), f"{doc.path}#{new_id}"
    ws = snap.workspace
    by_file: dict[str, list[Edit]] = {}
    texts: dict[str, str] = {}
    for other in sorted(ws.docs.values(), key=lambda d: d.path):
        text = snap.text(other.path)
        if text is None:
            continue
        texts[other.path] = text
        edits = [
            (link.fragment_range, new_id)
            for link in section_links(ws, other.path, text)
            if link.ref == old_ref
        ]
        if other.path == doc.path:
            edits += _doc_edits(doc, text, section, new_id)
        if edits:
            by_file[other.path] = edits
    after = ws
    for rel, edits in by_file.items():
        after = after.with_text(rel, apply_edits(texts[rel], edits))
    lock_text = snap.text(LOCK_NAME) if ws.lock is not None else None
    if lock_text is not None:
        renames = {old_ref: new_ref}
        edits = lock_edits(lock_text, renames, _new_hashes(snap, ws, after, renames))
        if edits:
            by_file[LOCK_NAME] = edits
    return workspace_edit(
        snap,
        {
            snap.uri(rel): [
                _text_edit(r, new)
                for r, new in sorted(by_file[rel], key=lambda e: (e[0].start, e[0].end))
            ]
            for rel in sorted(by_file)
        },
    )


_RENAMABLE_REQUIREMENT = re.compile(r"(?:FR|SC|NFR)-\d{3,}|T\d{3,}")


def requirement_at(doc: SpecDocument, pos: Position) -> tuple[str, Range] | None:
    """A Spec Kit requirement or task ID under the cursor (definition or reference).

    Kiro's `N.M` criteria are positions in a list, not names: they are not renamed.
    """
    hit = hit_at(doc, pos)
    if hit.requirement is not None:
        rid, rng = hit.requirement.id, hit.requirement.range
    elif hit.requirement_ref is not None:
        rid, rng = hit.requirement_ref.text, hit.requirement_ref.range
    else:
        return None
    return (rid, rng) if _RENAMABLE_REQUIREMENT.fullmatch(rid) else None


def rename_requirement(
    snap: Snapshot, doc: SpecDocument, rid: str, new_id: str
) -> types.WorkspaceEdit:
    """The definition and every trace of `rid` (as seen from `doc`) become `new_id`."""
    scheme = re.match(r"[A-Z]+-?", rid)
    if not _RENAMABLE_REQUIREMENT.fullmatch(new_id) or (
        scheme and not new_id.startswith(scheme.group(0))
    ):
        raise JsonRpcInvalidParams(
            f"'{new_id}' is not a valid ID here: keep the form of {rid} (e.g. FR-012, T042)"
        )
    ws = snap.workspace
    if new_id != rid and requirement_definitions(ws, new_id, doc.path):
        raise JsonRpcInvalidRequest(f"{new_id} is already defined")
    places = [*requirement_definitions(ws, rid, doc.path), *requirement_uses(ws, rid, doc.path)]
    by_file: dict[str, list[Edit]] = {}
    for place in places:
        by_file.setdefault(place.doc.path, []).append((place.range, new_id))
    # An ID is a name, not content: units fresh before the rename stay fresh.
    after = ws
    for rel, edits in by_file.items():
        text = snap.text(rel)
        if text is not None:
            after = after.with_text(rel, apply_edits(text, edits))
    lock_text = snap.text(LOCK_NAME) if ws.lock is not None else None
    if lock_text is not None:
        lock_changes = lock_edits(lock_text, {}, _new_hashes(snap, ws, after, {}))
        if lock_changes:
            by_file[LOCK_NAME] = lock_changes
    by_uri = {snap.uri(rel): [_text_edit(r, new) for r, new in e] for rel, e in by_file.items()}
    return workspace_edit(
        snap,
        {
            u: sorted(e, key=lambda t: (t.range.start.line, t.range.start.character))
            for u, e in sorted(by_uri.items())
        },
    )


def run(
    snap: Snapshot, params: types.RenameParams | types.PrepareRenameParams
) -> types.WorkspaceEdit | types.PrepareRenamePlaceholder | None:
    rel = snap.rel(params.text_document.uri)
    doc = snap.workspace.docs.get(rel) if rel else None
    text = snap.text(rel) if rel else None
    if doc is None or text is None:
        return None
    requirement = requirement_at(doc, from_position(params.position))
    if requirement is not None:
        rid, rng = requirement
        if isinstance(params, types.RenameParams):
            return rename_requirement(snap, doc, rid, params.new_name.strip())
        return types.PrepareRenamePlaceholder(range=to_range(rng), placeholder=rid)
    found = target_at(snap, doc, text, from_position(params.position))
    if isinstance(params, types.RenameParams):
        if found is None:
            raise JsonRpcInvalidRequest(
                "rename works on a section heading, its {#id}, or a link to a section"
            )
        target_doc, section, _ = found
        return rename(snap, target_doc, section, params.new_name.strip().lstrip("#"))
    if found is None:
        return None
    _, section, rng = found
    return types.PrepareRenamePlaceholder(range=to_range(rng), placeholder=section.id)
