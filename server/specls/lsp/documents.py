"""Open documents and their text as the editor has it.

specls applies `didChange` edits itself rather than through pygls's
`TextDocument`: LSP counts only `\\n`, `\\r\\n` and `\\r` as line breaks (pygls
splits on U+2028, form feeds and the like too) and a column past the end of
a line means the end of that line (pygls lands it one character early, or
past the newline). Either mistake leaves the server analysing text the user
never wrote; `text.LineIndex` is the one LSP-correct position mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from specls.text import LineIndex, Position


@dataclass
class Document:
    uri: str
    source: str
    version: int | None
    language_id: str = ""


def apply_change(text: str, change: types.TextDocumentContentChangeEvent) -> str:
    """One content change (whole text, or a range in UTF-16 positions) applied to `text`."""
    if isinstance(change, types.TextDocumentContentChangeWholeDocument):
        return change.text
    index = LineIndex(text)
    start = index.offset(Position(change.range.start.line, change.range.start.character))
    end = index.offset(Position(change.range.end.line, change.range.end.character))
    if end < start:
        start, end = end, start
    return text[:start] + change.text + text[end:]


class Documents:
    """The open buffers, by URI."""

    def __init__(self) -> None:
        self.text_documents: dict[str, Document] = {}

    def put_text_document(self, item: types.TextDocumentItem) -> None:
        self.text_documents[item.uri] = Document(
            item.uri, item.text, item.version, item.language_id
        )

    def update_text_document(
        self,
        ident: types.VersionedTextDocumentIdentifier,
        change: types.TextDocumentContentChangeEvent,
    ) -> None:
        doc = self.text_documents.get(ident.uri)
        if doc is None:  # a change for a document never opened: nothing to apply it to
            return
        doc.source = apply_change(doc.source, change)
        doc.version = ident.version

    def remove_text_document(self, uri: str) -> None:
        self.text_documents.pop(uri, None)
