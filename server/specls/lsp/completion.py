"""Completion (`specls.ide.completion`) as protocol items.

The client's capabilities decide the form: snippets when it supports them,
and VS Code's `editor.action.triggerSuggest` to open the next list at once.
"""

from __future__ import annotations

from lsprotocol import types

from specls.ide.completion import TRIGGER_CHARACTERS, CompletionItem, ItemKind, Options, completions
from specls.lsp.convert import from_position, to_range
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


def run(snap: Snapshot, params: types.CompletionParams) -> types.CompletionList | None:
    rel = snap.rel(params.text_document.uri)
    if rel is None:
        return None
    opts = options(snap.capabilities, snap.client_name)
    items = completions(snap.ide, rel, from_position(params.position), opts)
    if not items:
        return None
    return types.CompletionList(is_incomplete=False, items=[to_item(i) for i in items])
