"""Completion in specs: directive labels, paths, symbols, section IDs, requirement IDs.

The context comes from the live line text (`snap.text`), not the parse, which
may lag a keystroke behind. Every item carries a `textEdit` whose range
replaces what was typed of the word (UTF-16 columns, like every range here).

| typed                                    | items                                    |
|------------------------------------------|------------------------------------------|
| `[@`                                     | generate, test, use, describe            |
| `[@generate](../src/`                    | entries of that directory (dirs end `/`) |
| `[@use](`                                | also `#id` and `doc.spec.md#id` sections |
| `[@generate](../src/x.py#`               | the file's symbols (tree-sitter)         |
| `[@use](#`, `[@use](users.spec.md#`      | that document's section IDs              |
| `(covers: F`, `_Requirements: 1.`, `FR-` | requirement IDs (the layout's `triggers`) |
| `[US` (Spec Kit)                          | user stories                             |
| `### Requirement: ` in an OpenSpec delta | the base spec's requirement names        |

Items are plain data; whether the client takes snippets and knows VS Code's
`editor.action.triggerSuggest` is the host's call, passed in as `Options`.
"""

from __future__ import annotations

import posixpath
import re
import threading
from dataclasses import dataclass
from enum import StrEnum

from specls import code
from specls.config import ALWAYS_EXCLUDED
from specls.dialect import DirectiveKind, RequirementKind, SpecDocument
from specls.ide.index import index_for
from specls.ide.snapshot import Snapshot
from specls.layouts import Trigger, layout_of
from specls.query import requirement_statement
from specls.text import Position, Range, split_lines, utf16_len, utf16_to_codepoint
from specls.workspace import resolve_path

TRIGGER_CHARACTERS = ["@", "(", "/", "#", ",", " ", "."]
MAX_ITEMS = 500


class ItemKind(StrEnum):
    """The kinds of item specls offers (the host maps them to its icons)."""

    KEYWORD = "keyword"
    FILE = "file"
    FOLDER = "folder"
    REFERENCE = "reference"
    CONSTANT = "constant"
    FUNCTION = "function"
    METHOD = "method"
    CONSTRUCTOR = "constructor"
    CLASS = "class"
    INTERFACE = "interface"
    STRUCT = "struct"
    ENUM = "enum"
    TYPE = "type"
    MODULE = "module"


@dataclass(frozen=True, slots=True)
class CompletionItem:
    label: str
    kind: ItemKind
    range: Range  # what the item replaces: the typed part of the word and its tail
    insert_text: str
    detail: str | None = None
    documentation: str | None = None  # Markdown
    sort_text: str | None = None
    filter_text: str | None = None
    snippet: bool = False  # `insert_text` has `$1`/`$0` tab stops
    retrigger: bool = False  # ask the editor to suggest again once inserted


DIRECTIVES: dict[str, str] = {
    DirectiveKind.GENERATE: "A file (`path`) or one symbol (`path#Symbol`) generated from this"
    " section.",
    DirectiveKind.TEST: "Tests generated from this section: a file or `path#symbol`.",
    DirectiveKind.USE: "A dependency: another section (`doc.spec.md#id`, `#id`) or a"
    " hand-written file the generator reads. When it changes, this section's outputs are stale.",
    DirectiveKind.DESCRIBE: "Hand-written code this section documents: navigable both ways,"
    " never regenerated.",
}
_KINDS = "|".join(k.value for k in DirectiveKind)
_LABEL = re.compile(r"\[@([\w-]*)$")
_PATH = re.compile(r"\[@(" + _KINDS + r")\]\(<?([^()\s#<>]*)$")
_FRAGMENT = re.compile(r"\[@(" + _KINDS + r")\]\(<?([^()\s#<>]*)#([^()\s#<>]*)$")
_WORD_AFTER = re.compile(r"[^()\s#<>\]]*")
_SYMBOL_KINDS = {
    "function": ItemKind.FUNCTION,
    "method": ItemKind.METHOD,
    "constructor": ItemKind.CONSTRUCTOR,
    "class": ItemKind.CLASS,
    "interface": ItemKind.INTERFACE,
    "struct": ItemKind.STRUCT,
    "enum": ItemKind.ENUM,
    "type": ItemKind.TYPE,
    "trait": ItemKind.INTERFACE,
    "module": ItemKind.MODULE,
}


@dataclass(frozen=True)
class Context:
    """The line around the cursor, in code points, with UTF-16 conversion."""

    line: int
    text: str  # the whole line
    col: int  # code points before the cursor

    @property
    def before(self) -> str:
        return self.text[: self.col]

    @property
    def after(self) -> str:
        return self.text[self.col :]

    def range(self, typed: str, extra: int = 0) -> Range:
        """The range of `typed` (just before the cursor) plus `extra` code points after it."""
        start = utf16_len(self.text[: self.col - len(typed)])
        end = utf16_len(self.text[: self.col + extra])
        return Range.of(self.line, start, self.line, end)

    def tail(self) -> int:
        """How many code points after the cursor still belong to the word being completed."""
        m = _WORD_AFTER.match(self.after)
        return len(m.group(0)) if m else 0


@dataclass(frozen=True)
class Options:
    snippets: bool = False
    retrigger: bool = False  # the client knows `editor.action.triggerSuggest` (VS Code)


def _item(
    label: str,
    kind: ItemKind,
    rng: Range,
    new_text: str | None = None,
    detail: str | None = None,
    documentation: str | None = None,
    sort: str | None = None,
    filter_text: str | None = None,
    retrigger: bool = False,
    snippet: bool = False,
) -> CompletionItem:
    return CompletionItem(
        label=label,
        kind=kind,
        range=rng,
        insert_text=label if new_text is None else new_text,
        detail=detail,
        documentation=documentation or None,
        sort_text=sort,
        filter_text=filter_text,
        snippet=snippet,
        retrigger=retrigger,
    )


# --- directive labels -------------------------------------------------------------------


def directive_items(ctx: Context, typed: str, opts: Options) -> list[CompletionItem]:
    """`[@ge|` → `@generate](…)`; an existing `[@gen|](x)` only has its label replaced."""
    tail = ctx.tail()
    rest = ctx.after[tail:]
    items = []
    for kind, doc in DIRECTIVES.items():
        label = f"@{kind}"
        extra, retrigger, snippet = tail, False, False
        if rest.startswith("]("):
            text = label
        elif opts.snippets:
            extra += 1 if rest.startswith("]") else 0
            text, snippet = f"{label}]($1)$0", True
            retrigger = opts.retrigger
        else:
            extra += 1 if rest.startswith("]") else 0
            text = f"{label}]("
        items.append(
            _item(
                label,
                ItemKind.KEYWORD,
                ctx.range("@" + typed, extra),
                text,
                detail="specls directive",
                documentation=doc,
                filter_text=label,
                retrigger=retrigger,
                snippet=snippet,
            )
        )
    return items


# --- paths ------------------------------------------------------------------------------


def _list_dir(snap: Snapshot, rel_dir: str) -> list[tuple[str, bool]]:
    """(name, is a directory) of a directory's entries, through the snapshot's file system."""
    try:
        _, dirs, files = next(
            iter(snap.reader.fs.walk(snap.root / rel_dir if rel_dir else snap.root))
        )
    except (OSError, StopIteration):
        return []
    found = [(d, True) for d in dirs if d not in ALWAYS_EXCLUDED] + [(f, False) for f in files]
    return sorted(found)


def path_items(
    snap: Snapshot, doc_path: str, ctx: Context, kind: str, typed: str, opts: Options
) -> list[CompletionItem]:
    directory, _, partial = typed.rpartition("/")
    base = resolve_path(doc_path, directory + "/" if directory else ".")
    rng = ctx.range(partial, ctx.tail())
    items: list[CompletionItem] = []
    if base is not None:
        rel_dir = "" if base == "." else base
        if rel_dir and (not directory or directory.endswith("..")) and partial in ("", ".", ".."):
            items.append(_dir_item("..", rng, opts))
        for name, is_dir in _list_dir(snap, rel_dir)[:MAX_ITEMS]:
            if is_dir:
                items.append(_dir_item(name, rng, opts))
            else:
                rel = posixpath.join(rel_dir, name)
                items.append(
                    _item(
                        name,
                        ItemKind.FILE,
                        rng,
                        detail=rel,
                        sort=f"1{name}",
                    )
                )
    if kind == DirectiveKind.USE and not directory:
        items += section_ref_items(snap, doc_path, ctx, typed)
    return items


def _dir_item(name: str, rng: Range, opts: Options) -> CompletionItem:
    return _item(
        name + "/",
        ItemKind.FOLDER,
        rng,
        sort=f"0{name}",
        filter_text=name + "/",
        retrigger=opts.retrigger,
    )


def _relative(from_doc: str, to_doc: str) -> str:
    return posixpath.relpath(to_doc, posixpath.dirname(from_doc) or ".")


def section_ref_items(
    snap: Snapshot, doc_path: str, ctx: Context, typed: str
) -> list[CompletionItem]:
    """`@use` targets: `#id` in this document, `path.spec.md#id` elsewhere."""
    rng = ctx.range(typed, ctx.tail())
    items = []
    index = index_for(snap.workspace)
    own = [doc_path] if doc_path in index.entries else []
    for path in own + [p for p in index.paths if p != doc_path]:
        doc = index.entries[path].doc
        prefix = "" if doc.path == doc_path else _relative(doc_path, doc.path)
        for s in doc.sections[1:]:
            label = f"{prefix}#{s.id}"
            items.append(
                _item(
                    label,
                    ItemKind.REFERENCE,
                    rng,
                    detail=s.title,
                    documentation=f"`{doc.path}` line {s.heading_range.start.line + 1}",
                    sort=f"2{int(bool(prefix))}{label}",
                )
            )
            if len(items) >= MAX_ITEMS:
                return items
    return items


# --- fragments: symbols and section IDs -------------------------------------------------


def fragment_items(
    snap: Snapshot, doc: SpecDocument, ctx: Context, path: str, typed: str
) -> list[CompletionItem]:
    rng = ctx.range(typed, ctx.tail())
    if not path:
        return _section_items(doc, rng)
    rel = resolve_path(doc.path, path)
    if rel is None:
        return []
    other = snap.workspace.docs.get(rel)
    if other is not None:
        return _section_items(other, rng)
    text = snap.text(rel)
    language = code.language_for_path(rel)
    if text is None or language is None:
        return []
    return [
        _item(
            s.name,
            _SYMBOL_KINDS.get(s.kind, ItemKind.REFERENCE),
            rng,
            detail=f"{s.kind} · {rel}:{s.selection_range.start.line + 1}",
            sort=f"{i:05d}",
        )
        for i, s in enumerate(code.list_symbols(text, language))
    ]


def _section_items(doc: SpecDocument, rng: Range) -> list[CompletionItem]:
    return [
        CompletionItem(label, ItemKind.REFERENCE, rng, label, title, documentation, sort)
        for label, title, documentation, sort in _section_labels(doc)
    ]


_labels_lock = threading.Lock()
_labels: dict[str, tuple[SpecDocument, list[tuple[str, str, str, str]]]] = {}


def _section_labels(doc: SpecDocument) -> list[tuple[str, str, str, str]]:
    """(id, title, where, sort key) of a document's sections, once per parsed document:
    typing `[@use](#` in a long spec lists its hundreds of sections on every keystroke."""
    with _labels_lock:
        cached = _labels.get(doc.path)
    if cached is not None and cached[0] is doc:
        return cached[1]
    found = [
        (s.id, s.title, f"`{doc.path}` line {s.heading_range.start.line + 1}", f"{s.index:05d}")
        for s in doc.sections[1:]
        if s.id
    ]
    with _labels_lock:
        _labels[doc.path] = (doc, found)
        while len(_labels) > 16:
            del _labels[next(iter(_labels))]
    return found


# --- requirement IDs --------------------------------------------------------------------


def requirement_items(
    snap: Snapshot, doc: SpecDocument, ctx: Context, typed: str, trigger: Trigger
) -> list[CompletionItem]:
    """The IDs a layout trigger asks for, those of the document's own scope first.

    A strict layout (a Spec Kit or Kiro feature folder) offers only its own
    scope's; a `base` trigger (an OpenSpec delta) only the base spec's names.
    """
    layout = layout_of(doc)
    here = layout.base_of(doc.path) if trigger.base else layout.scope(doc.path)
    if here is None:
        return []
    only_here = trigger.base or layout.strict_scope
    seen: dict[str, tuple[bool, str, str, Position]] = {}
    index = index_for(snap.workspace)
    paths = [d.path for d in index.scope_docs(here)] if only_here else index.paths
    for path in paths:
        entry = index.entries[path]
        other, theirs = entry.doc, entry.layout
        local = entry.scope == here
        if only_here and not local:
            continue
        for s in entry.requirement_sections:
            for r in s.requirements:
                if trigger.kinds is not None and r.kind not in trigger.kinds:
                    continue
                if trigger.kinds is None and r.kind is RequirementKind.OPENSPEC:
                    continue  # named, not referenced by ID
                if not theirs.referable(r):
                    continue
                if other.path == doc.path and r.range.start.line == ctx.line:
                    continue  # the line being written does not cite itself
                known = seen.get(r.id)
                if known is None or (local and not known[0]):
                    seen[r.id] = (local, r.text, other.path, r.range.start)
    rng = ctx.range(typed, ctx.tail())
    return [
        _item(
            rid,
            ItemKind.CONSTANT,
            rng,
            detail=requirement_statement(rid, text),
            documentation=f"`{path}` line {start.line + 1}",
            sort=f"{int(not local)}{_natural(rid)}",
            filter_text=rid,
        )
        for rid, (local, text, path, start) in seen.items()
    ]


def _natural(rid: str) -> str:
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), rid)


# --- the feature ------------------------------------------------------------------------


_lines_lock = threading.Lock()
_lines: list[tuple[str, list[str]]] = []  # the last few texts split, newest last


def _split(text: str) -> list[str]:
    """`split_lines`, kept for the texts asked about last: completion runs on every
    keystroke of a 5,000-line spec, and its text is the same object until it changes."""
    with _lines_lock:
        for t, lines in _lines:
            if t is text:
                return lines
    lines = split_lines(text)
    with _lines_lock:
        _lines.append((text, lines))
        del _lines[:-4]
    return lines


def context_at(text: str, pos: Position) -> Context | None:
    lines = _split(text)
    if pos.line >= len(lines):
        return None
    line = lines[pos.line]
    return Context(pos.line, line, utf16_to_codepoint(line, pos.character))


def completions(snap: Snapshot, rel: str, pos: Position, opts: Options) -> list[CompletionItem]:
    """What may be typed at `pos` in the spec `rel` (its live text, open buffer first)."""
    doc = snap.workspace.docs.get(rel)
    text = snap.text(rel)
    if doc is None or text is None:
        return []
    ctx = context_at(text, pos)
    if ctx is None:
        return []
    before = ctx.before
    if m := _FRAGMENT.search(before):
        return fragment_items(snap, doc, ctx, m.group(2), m.group(3))
    if m := _PATH.search(before):
        return path_items(snap, doc.path, ctx, m.group(1), m.group(2), opts)
    if m := _LABEL.search(before):
        return directive_items(ctx, m.group(1), opts)
    for trigger in layout_of(doc).triggers:
        if m := trigger.pattern.search(before):
            return requirement_items(snap, doc, ctx, m.group(1), trigger)
    return []
