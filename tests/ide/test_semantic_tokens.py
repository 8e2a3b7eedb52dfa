"""ide.semantic_tokens: labels, section IDs of real links, requirement IDs; UTF-16."""

from __future__ import annotations

from specls.ide.semantic_tokens import (
    DECLARATION,
    ENUM_MEMBER,
    KEYWORD,
    NAMESPACE,
    SPECLS,
    encode,
    tokens,
)

from ide.memfs import world


def test_tokens_after_emoji_and_only_on_real_links() -> None:
    w = world("""
        //- specs/a.spec.md
        # A 🛒 {#a}
        見る [@use](#a) [see](b.spec.md#x) `[no](#a)` \\[no](#a) [web](https://x.org/#a)
        - **FR-001**: covers FR-001
        //- specs/b.spec.md
        # B {#x}
    """)
    doc = w.snap.workspace.docs["specs/a.spec.md"]
    assert tokens(w.snap.workspace, doc) == [
        (0, 9, 1, NAMESPACE, DECLARATION | SPECLS),  # `{#a}` after the emoji
        (1, 4, 4, KEYWORD, SPECLS),  # `@use`
        (1, 11, 1, NAMESPACE, SPECLS),  # `#a` of the directive
        (1, 30, 1, NAMESPACE, SPECLS),  # `#x` of the plain link to b.spec.md
        (2, 4, 6, ENUM_MEMBER, DECLARATION | SPECLS),
        (2, 21, 6, ENUM_MEMBER, SPECLS),
    ]


def test_relative_encoding() -> None:
    toks = [(0, 8, 1, NAMESPACE, 3), (1, 4, 4, KEYWORD, 2), (1, 11, 1, NAMESPACE, 2)]
    assert encode(toks) == [0, 8, 1, 1, 3, 1, 4, 4, 0, 2, 0, 7, 1, 1, 2]
