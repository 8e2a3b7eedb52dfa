"""Folding ranges through the protocol: front matter, sections, fenced code."""

from __future__ import annotations

from pathlib import Path

from lsp_helpers import change_doc, open_doc
from lsprotocol import types
from pytest_lsp import LanguageClient


async def folding(client: LanguageClient, doc_uri: str) -> list[tuple[int, int]]:
    result = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=types.TextDocumentIdentifier(uri=doc_uri))
    )
    assert result is not None
    assert all(r.start_character is None and r.end_character is None for r in result)
    return [(r.start_line, r.end_line) for r in result]


async def test_sections_and_fences(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    doc_uri = open_doc(client, root / "specs" / "auth.spec.md")
    assert await folding(client, doc_uri) == [
        (0, 2),  # front matter
        (3, 46),  # # Authentication, to its last line
        (7, 40),  # ## Login {#login}, up to the blank line before ## Application
        (14, 30),  # ```python file=../src/shop/auth.py
        (35, 40),  # ```python file=../src/shop/app.py#create_session
        (42, 46),  # ## Application entry point
    ]


async def test_follows_edits_with_non_ascii(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    n = len(text.splitlines())
    change_doc(
        client,
        doc_uri,
        text + "\n## 価格 🛒 {#prices}\n\n```text\n😀 not a heading:\n# 価格\n```\n\n\n",
        2,
    )
    ranges = await folding(client, doc_uri)
    assert ranges[0] == (0, n + 6)  # `# Cart 🛒` now runs to the new fence
    assert ranges[-2:] == [(n + 1, n + 6), (n + 3, n + 6)]  # trailing blanks not folded
