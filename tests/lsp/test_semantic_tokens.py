"""Semantic tokens through the protocol: decoded to absolute (line, col, len, type, mods)."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import change_doc, open_doc
from lsprotocol import types
from pytest_lsp import LanguageClient

TYPES = ["keyword", "namespace", "enumMember"]
MODIFIERS = ["declaration", "specls"]


def decode(data: list[int]) -> list[tuple[int, int, int, str, tuple[str, ...]]]:
    out = []
    line = col = 0
    for i in range(0, len(data), 5):
        d_line, d_col, length, kind, mods = data[i : i + 5]
        line += d_line
        col = col + d_col if d_line == 0 else d_col
        names = tuple(m for bit, m in enumerate(MODIFIERS) if mods & (1 << bit))
        out.append((line, col, length, TYPES[kind], names))
    return out


async def tokens(client: LanguageClient, doc_uri: str) -> list[tuple]:
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=doc_uri))
    )
    assert isinstance(result, types.SemanticTokens)
    return decode(list(result.data))


DECL = ("declaration", "specls")
REF = ("specls",)


async def test_tokens_with_non_ascii_before_them(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "auth.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    assert (await tokens(client, doc_uri))[:4] == [
        (5, 1, 4, "keyword", REF),  # [@use](users.spec.md#user-model)
        (5, 21, 10, "namespace", REF),  # user-model
        (7, 11, 5, "namespace", DECL),  # {#login}
        (8, 1, 9, "keyword", REF),  # [@generate](../src/shop/auth.py)
    ]

    edited = text.replace(
        "## Login {#login}",
        "## Connexion 🔐 登录 {#login}\n👤 [@use](users.spec.md#user-model)\n"
        "- **FR-010**: 😀 le jeton (covers: FR-002)",
    )
    change_doc(client, doc_uri, edited, 2)
    toks = await tokens(client, doc_uri)
    assert toks[2:7] == [
        (7, 21, 5, "namespace", DECL),  # 🔐 and 登录 are 2 + 2 UTF-16 units
        (8, 4, 4, "keyword", REF),  # after 👤 and a space
        (8, 24, 10, "namespace", REF),
        (9, 4, 6, "enumMember", DECL),  # - **FR-010**
        (9, 35, 6, "enumMember", REF),  # (covers: FR-002) after 😀
    ]
