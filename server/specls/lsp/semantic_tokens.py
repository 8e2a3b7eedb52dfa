"""Semantic tokens, full document (`specls.ide.semantic_tokens`)."""

from __future__ import annotations

from lsprotocol import types

from specls.ide.semantic_tokens import TOKEN_MODIFIERS, TOKEN_TYPES, encode, tokens
from specls.lsp.snapshot import Snapshot

LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)


def run(snap: Snapshot, params: types.SemanticTokensParams) -> types.SemanticTokens:
    doc = snap.doc(params.text_document.uri)
    if doc is None:
        return types.SemanticTokens(data=[])
    return types.SemanticTokens(data=encode(tokens(snap.workspace, doc)))
