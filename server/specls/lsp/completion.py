"""Completion (`specls.ide.completion`) as protocol items.

The client's capabilities decide the form: snippets when it supports them,
and VS Code's `editor.action.triggerSuggest` to open the next list at once.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from specls.ide.completion import TRIGGER_CHARACTERS, CompletionItem, ItemKind, Options, completions
from specls.lsp.convert import Json, from_position, json_range, to_range
from specls.lsp.snapshot import Snapshot

RETRIGGER = types.Command(title="Suggest", command="editor.action.triggerSuggest")
OPTIONS = types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS)

_KINDS = {
    ItemKind.KEYWORD: types.CompletionItemKind.Keyword,
    ItemKind.FILE: types.CompletionItemKind.File,
    ItemKind.FOLDER: types.CompletionItemKind.Folder,
    ItemKind.REFERENCE: types.CompletionItemKind.Reference,
    ItemKind.CONSTANT: types.CompletionItemKind.Constant,
    ItemKind.FUNCTION: types.CompletionItemKind.Function,
    ItemKind.METHOD: types.CompletionItemKind.Method,
    ItemKind.CONSTRUCTOR: types.CompletionItemKind.Constructor,
    ItemKind.CLASS: types.CompletionItemKind.Class,
    ItemKind.INTERFACE: types.CompletionItemKind.Interface,
    ItemKind.STRUCT: types.CompletionItemKind.Struct,
    ItemKind.ENUM: types.CompletionItemKind.Enum,
    ItemKind.TYPE: types.CompletionItemKind.TypeParameter,
    ItemKind.MODULE: types.CompletionItemKind.Module,
}


def options(caps: types.ClientCapabilities, client_name: str) -> Options:
    completion = caps.text_document.completion if caps.text_document else None
    item = completion.completion_item if completion else None
    name = client_name.lower().replace("_", " ")
    return Options(
        snippets=bool(item and item.snippet_support),
        retrigger="visual studio code" in name or "vscode" in name,
    )


def to_item(item: CompletionItem) -> types.CompletionItem:
    return types.CompletionItem(
        label=item.label,
        kind=_KINDS[item.kind],
        detail=item.detail,
        documentation=(
            types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.documentation)
            if item.documentation
            else None
        ),
        sort_text=item.sort_text,
        filter_text=item.filter_text,
        text_edit=types.TextEdit(range=to_range(item.range), new_text=item.insert_text),
        insert_text_format=types.InsertTextFormat.Snippet if item.snippet else None,
        command=RETRIGGER if item.retrigger else None,
    )


_RETRIGGER_JSON = {"title": RETRIGGER.title, "command": RETRIGGER.command}
_KIND_VALUES = {k: v.value for k, v in _KINDS.items()}


def to_json(item: CompletionItem, ranges: dict[int, Any] | None = None) -> dict[str, Any]:
    """`to_item` as lsprotocol's converter would write it (None fields left out): a
    list of hundreds of section IDs is built straight into JSON (`convert.Json`).
    `ranges` shares one JSON range between the items that share a `Range` object."""
    found = ranges.get(id(item.range)) if ranges is not None else None
    if found is not None and found[0] is item.range:
        rng = found[1]
    else:
        rng = json_range(item.range)
        if ranges is not None:
            ranges[id(item.range)] = (item.range, rng)
    out: dict[str, Any] = {"label": item.label, "kind": _KIND_VALUES[item.kind]}
    if item.detail is not None:
        out["detail"] = item.detail
    if item.documentation:
        out["documentation"] = {"kind": "markdown", "value": item.documentation}
    if item.sort_text is not None:
        out["sortText"] = item.sort_text
    if item.filter_text is not None:
        out["filterText"] = item.filter_text
    if item.snippet:
        out["insertTextFormat"] = types.InsertTextFormat.Snippet.value
    out["textEdit"] = {"range": rng, "newText": item.insert_text}
    if item.retrigger:
        out["command"] = _RETRIGGER_JSON
    return out


def run(snap: Snapshot, params: types.CompletionParams) -> Json | None:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return None
    opts = options(snap.capabilities, snap.client_name)
    items = completions(snap.ide, rel, from_position(params.position), opts)
    if not items:
        return None
    ranges: dict[int, Any] = {}
    return Json({"isIncomplete": False, "items": [to_json(i, ranges) for i in items]})
