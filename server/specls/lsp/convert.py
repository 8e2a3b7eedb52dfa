"""The one place that builds protocol types from core values (and back).

Core ranges are already LSP positions in UTF-16 code units; the server
always negotiates `utf-16` so nothing here re-encodes columns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cattrs
from lsprotocol import types
from pygls.protocol import JsonRPCResponseMessage, default_converter
from pygls.uris import from_fs_path, to_fs_path

from specls.findings import Finding, Severity
from specls.text import Position, Range

SOURCE = "specls"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


class Json:
    """A result already in its JSON form (dicts, lists, strings, numbers).

    pygls turns a result into JSON with cattrs, which walks every attrs object
    (and every dict) in Python: for a 5,000-line spec's document symbols that
    walk costs more than building them. A feature whose result is large and
    regular builds its JSON form directly, once per document version, and
    wraps it in `Json`; the server writes its text (`response_body`, encoded
    once per `Json`), and the server's converter (`converter()`) hands the
    value to `json.dumps` as it is anywhere else. The value must be what
    lsprotocol's own converter would give for the protocol type (tests
    structure it back).
    """

    __slots__ = ("_text", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self._text: str | None = None

    def text(self) -> str:
        """The JSON text, encoded once: a result kept per document version (an outline)
        is written again without encoding it again."""
        if self._text is None:
            self._text = json.dumps(self.value, separators=(",", ":"))  # no padding: big answers
        return self._text

    def __repr__(self) -> str:
        return f"Json({self.value!r})"


def response_body(message: Any) -> str | None:
    """The JSON text of a response whose result is `Json`, from the result's own text
    (None for any other message: pygls writes it)."""
    if isinstance(message, JsonRPCResponseMessage) and isinstance(message.result, Json):
        head = f'{{"id": {json.dumps(message.id)}, "jsonrpc": "2.0", "result": '
        return head + message.result.text() + "}"
    return None


def converter() -> cattrs.Converter:
    """pygls' converter, plus `Json` results passed through as they are."""
    conv: cattrs.Converter = default_converter()  # type: ignore[no-untyped-call]
    conv.register_unstructure_hook(Json, lambda j: j.value)
    return conv


def json_range(rng: Range) -> dict[str, Any]:
    """A range in its JSON form (`Json` results)."""
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def to_position(pos: Position) -> types.Position:
    return types.Position(line=pos.line, character=pos.character)


def to_range(rng: Range) -> types.Range:
    return types.Range(start=to_position(rng.start), end=to_position(rng.end))


def from_position(pos: types.Position) -> Position:
    return Position(pos.line, pos.character)


def from_range(rng: types.Range) -> Range:
    return Range(from_position(rng.start), from_position(rng.end))


def uri_to_path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path) if path else None


def path_to_uri(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    return str(uri)


def location(root: Path, rel: str, rng: Range) -> types.Location:
    return types.Location(uri=path_to_uri(root / rel), range=to_range(rng))


def to_diagnostic(root: Path, finding: Finding) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=location(root, r.path, r.range), message=r.message
        )
        for r in finding.related
    ]
    data: dict[str, str] = {}
    if finding.unit:
        data["unit"] = finding.unit
    if finding.output:
        data["output"] = finding.output
    return types.Diagnostic(
        range=to_range(finding.range),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code.value,
        source=SOURCE,
        related_information=related or None,
        data=data or None,
    )
