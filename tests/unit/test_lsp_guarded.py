"""A bug inside one feature becomes an LSP error for that request, not a dead server."""

from __future__ import annotations

import types as pytypes

import pytest
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams
from specls.lsp.features import guarded


def _module(fn: object) -> pytypes.ModuleType:
    module = pytypes.ModuleType("specls.lsp.fake_feature")
    module.run = fn  # type: ignore[attr-defined]
    return module


def test_a_bug_becomes_an_internal_error() -> None:
    def run(snap: object, params: object) -> object:
        raise ZeroDivisionError("boom")

    with pytest.raises(JsonRpcInternalError, match="fake_feature: boom"):
        guarded(_module(run))(None, None)


def test_deliberate_protocol_errors_pass_through() -> None:
    def run(snap: object, params: object) -> object:
        raise JsonRpcInvalidParams("not a valid section ID")

    with pytest.raises(JsonRpcInvalidParams, match="not a valid section ID"):
        guarded(_module(run))(None, None)


def test_results_pass_through() -> None:
    assert guarded(_module(lambda snap, params: [1, 2]))(None, None) == [1, 2]
