"""Parse speed on a 5,000-line spec: full mistune, tree-sitter-markdown, and specls.

Run: .venv/bin/python bench/bench_parse.py   (tree-sitter-markdown is optional:
`pip install tree-sitter-markdown` to include it).

It answers the dialect's design question (DESIGN §6): can a keystroke afford
a re-parse? It prints milliseconds per operation, best of N runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import mistune
from specls.dialect import parse_document
from specls.dialect.chunk import parse_chunk
from specls.dialect.parser import _place


def make_spec(sections: int = 385) -> str:
    parts = ["---\ngenerator: tangle\n---\n# Big spec 🛒\n"]
    for i in range(sections):
        parts.append(
            f"## Section {i} {{#s{i}}}\n"
            f"[@generate](../src/mod{i}.py) [@use](#s{max(i - 1, 0)})\n\n"
            f"WHEN a user does thing {i} THE SYSTEM SHALL respond — ünïcödé 日本"
            f" (covers: FR-{i:03d}).\n"
            f"- **FR-{i:03d}**: The system MUST do {i}.\n\n"
            f"```python file=../src/mod{i}.py\n"
            f"def f{i}(x: int) -> int:\n    return x + {i}\n```\n\n"
            "Some more prose with a [link](https://example.com) and `code`.\n"
            "And a second paragraph line.\n"
        )
    return "".join(parts)


def best(fn: Callable[[], object], n: int = 7) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    text = make_spec()
    lines = text.count("\n")
    md = mistune.create_markdown(renderer=None)
    print(f"spec: {lines} lines, {len(text):,} chars")
    print(f"mistune, whole document:         {best(lambda: md(text)):8.2f} ms")
    try:
        import tree_sitter_markdown as tsm
        from tree_sitter import Language, Parser

        block = Parser(Language(tsm.language()))
        data = text.encode()
        tree = block.parse(data)
        print(f"tree-sitter-markdown, block:     {best(lambda: block.parse(data)):8.2f} ms")
        edited = data.replace(b"thing 125 ", b"thing 125x", 1)
        at = data.index(b"thing 125 ") + 9

        def incremental() -> None:
            from tree_sitter import Point

            t2 = tree.copy()
            t2.edit(at, at + 1, at + 1, Point(0, 0), Point(0, 0), Point(0, 0))
            block.parse(edited, t2)

        print(f"tree-sitter-markdown, re-parse:  {best(incremental):8.2f} ms (block only)")
    except ImportError:
        print("tree-sitter-markdown: not installed (pip install tree-sitter-markdown)")

    def cold() -> None:
        parse_chunk.cache_clear()
        _place.cache_clear()
        parse_document("big.spec.md", text)

    print(f"specls parse_document, cold:     {best(cold):8.2f} ms")
    parse_document("big.spec.md", text)
    edited_text = text.replace("thing 125 ", "thing 125x", 1)
    counter = iter(range(10**6))

    def keystroke() -> None:
        parse_document(
            "big.spec.md", edited_text.replace("thing 125x", f"thing 125x{next(counter)}")
        )

    print(f"specls parse_document, 1 edit:   {best(keystroke):8.2f} ms (one section re-parsed)")


if __name__ == "__main__":
    main()
