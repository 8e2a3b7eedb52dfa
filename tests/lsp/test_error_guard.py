"""The one error guard, in-process: every failure reaches the user as a readable
message, and the server goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from inprocess import InProcess
from lsp_helpers import uri
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcServerNotInitialized,
)
from specls.lsp import hover


async def test_a_request_before_initialize_is_answered_not_initialized(shop: Path) -> None:
    lsp = InProcess(shop)
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(shop / "specs/auth.spec.md")),
        position=types.Position(line=0, character=0),
    )
    with pytest.raises(JsonRpcServerNotInitialized):
        await lsp.request(types.TEXT_DOCUMENT_HOVER, params)
    with pytest.raises(JsonRpcServerNotInitialized):
        await lsp.command("specls.status")
    assert lsp.server.session.roots == {}  # nothing started an analysis
    await lsp.start()
    symbols = await lsp.request(
        types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
        types.DocumentSymbolParams(text_document=params.text_document),
    )
    assert [s.name for s in symbols] == ["Authentication"]
    await lsp.stop()


async def test_a_bug_in_a_feature_is_an_internal_error_with_a_message(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lsp = await InProcess(shop).start()

    def broken(snap: object, params: object) -> object:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(hover, "run", broken)
    doc = await lsp.open("specs/auth.spec.md")
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc),
        position=types.Position(line=0, character=0),
    )
    with pytest.raises(
        JsonRpcInternalError, match=r"textDocument/hover failed: ZeroDivisionError: boom"
    ):
        await lsp.request(types.TEXT_DOCUMENT_HOVER, params)
    # the server goes on: another request is answered
    symbols = await lsp.request(
        types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=doc)),
    )
    assert symbols
    await lsp.stop()


async def test_a_refused_command_is_shown_and_answered_invalid_params(shop: Path) -> None:
    lsp = await InProcess(shop).start()
    with pytest.raises(JsonRpcInvalidParams, match="not a generation unit"):
        await lsp.command("specls.regenerate", {"unit": "specs/nope.spec.md#x"})
    assert lsp.editor.messages == [
        (types.MessageType.Error, "specs/nope.spec.md#x is not a generation unit")
    ]
    await lsp.stop()


async def test_a_bug_in_a_command_is_shown_with_its_message(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specls.lsp import commands, routes

    lsp = await InProcess(shop).start()

    async def broken(server: object, arg: object) -> object:
        raise KeyError("lost")

    monkeypatch.setitem(routes.COMMANDS, commands.STATUS, broken)
    with pytest.raises(JsonRpcInternalError, match=r"specls\.status failed: KeyError"):
        await lsp.command("specls.status")
    [(kind, message)] = lsp.editor.messages
    assert kind is types.MessageType.Error and "specls.status failed: KeyError: 'lost'" in message
    await lsp.stop()
