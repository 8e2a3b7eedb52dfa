"""Results built straight into JSON (`convert.Json`) are what lsprotocol would write.

documentSymbol and completion skip the attrs objects and cattrs' walk over
them; their JSON must still be exactly what the protocol types give, and the
server's converter must hand it to `json.dumps` untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types
from pygls.protocol import JsonRPCResponseMessage
from specls.dialect import parse_document
from specls.ide.completion import CompletionItem, ItemKind
from specls.ide.symbols import document_symbols
from specls.layouts import layout_for
from specls.lsp import completion
from specls.lsp import document_symbols as lsp_symbols
from specls.lsp.convert import Json, converter, response_body
from specls.text import Range

ROOT = Path("/mem/json")
TEXT = """# Spec 🛒
- **FR-001**: The preamble MUST be listed.

## Cart 見る {#cart}
[@generate](../src/cart.py)

- **FR-002**: The cart MUST hold items — ünïcödé.

### Line items 😀

## {#untitled}
"""


def test_document_symbols_json_is_the_protocol_form() -> None:
    conv = converter()
    doc = parse_document("specs/a.spec.md", TEXT, layout_for("specs/a.spec.md"))
    symbols = document_symbols(doc, TEXT)
    assert symbols and any(s.children for s in symbols)
    assert [lsp_symbols.to_json(s) for s in symbols] == [
        conv.unstructure(lsp_symbols.to_symbol(s)) for s in symbols
    ]
    # cached per document version: the same text gives the same object, a new one is rebuilt
    first = lsp_symbols.outline(ROOT, doc, TEXT)
    assert lsp_symbols.outline(ROOT, doc, TEXT) is first
    doc2 = parse_document("specs/a.spec.md", TEXT + "## More\n", layout_for("specs/a.spec.md"))
    second = lsp_symbols.outline(ROOT, doc2, TEXT + "## More\n")
    assert second is not first and second.value[0]["children"][-1]["name"] == "More"


def test_completion_json_is_the_protocol_form() -> None:
    conv = converter()
    rng = Range.of(3, 7, 3, 12)
    items = [
        CompletionItem("cart", ItemKind.REFERENCE, rng, "cart", "Cart 見る", "`a` line 4", "00001"),
        CompletionItem(
            "@use", ItemKind.KEYWORD, rng, "@use]($1)$0", "d", "doc", None, "@use", True, True
        ),
        CompletionItem("x.py", ItemKind.FILE, Range.of(0, 0, 0, 0), "x.py"),
    ]
    ranges: dict[int, object] = {}
    assert [completion.to_json(i, ranges) for i in items] == [
        conv.unstructure(completion.to_item(i)) for i in items
    ]


def test_the_server_converter_passes_json_through() -> None:
    conv = converter()
    value = [{"name": "Cart 見る", "kind": types.SymbolKind.Module.value}]
    message = JsonRPCResponseMessage(id=7, result=Json(value), jsonrpc="2.0")
    body = json.dumps(message, default=conv.unstructure)
    assert json.loads(body) == {"id": 7, "jsonrpc": "2.0", "result": value}


def test_a_json_response_is_written_from_its_kept_text() -> None:
    conv = converter()
    result = Json([{"name": "Cart 見る 🛒", "kind": 2, "detail": 'a "quoted" \\ name'}])
    message = JsonRPCResponseMessage(id="r-1", result=result, jsonrpc="2.0")
    body = response_body(message)
    assert body is not None and body.isascii()
    assert json.loads(body) == json.loads(json.dumps(message, default=conv.unstructure))
    assert response_body(message) == body and result.text() is result.text()
    other = JsonRPCResponseMessage(id=2, result=[1], jsonrpc="2.0")
    assert response_body(other) is None
