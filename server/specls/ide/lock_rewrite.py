"""Edits to `spec.lock` in place, so a rename keeps fresh units fresh.

The lock is rewritten as text edits (not re-dumped) so that the editor
applies and undoes them with the spec edits as one change, and every byte
the rename does not concern stays as it was. A small lexer finds each JSON
string with the keys that enclose it, which is all `spec.lock` needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from specls.ide.edits import Edit
from specls.ide.snapshot import Snapshot
from specls.text import LineIndex
from specls.units import Graph
from specls.workspace import Workspace

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


def new_hashes(
    snap: Snapshot, before: Workspace, after: Workspace, renames: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Lock fields to rewrite so that units fresh before the rename stay fresh.

    A unit already stale keeps its old hashes: a rename never makes it fresh.
    """
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
