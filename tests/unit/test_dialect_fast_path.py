"""The chunk parser's fast path (no mistune when no CommonMark rule could stop a
candidate being a link) gives exactly the chunk that asking mistune gives.

Generated sections mix candidates with everything that can turn one into text
or change its URL: code spans and fences, escapes, entities, inline HTML and
HTML blocks, autolinks, images, link reference definitions, nested brackets,
indented code (plain, in lists, in quotes, by tab), titles, and non-ASCII
(accents, CJK, astral emoji, no-break and ideographic spaces).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from specls.dialect.chunk import parse_chunk_uncached
from specls.layouts import layout_for

_TARGETS = [
    "#s0",
    "#x%20y",
    "#ü日",
    "doc.spec.md#frag",
    "../a/b.spec.md#u1",
    "./plan.md",
    "spec.md",
    "<#s1>",
    "#a&amp;b",
    "#a\\_b",
    "http://example.com#x",
    "https://example.com",
    "#x\u00a0y",
    "#x*y_z",
    "#",
]
_LABELS = ["@use", "@generate", "@test", "@describe", "@bogus", "the cart", "日本", "", "*em*"]
_TITLES = ["", ' "t"', " 't'", " (t)", ' "a](b"']
_WORDS = [
    "word",
    "ünïcödé",
    "日本語",
    "😀",
    "\u00a0",
    "\u3000",
    "`",
    "``",
    "`code`",
    "\\",
    "\\[",
    "&amp;",
    "&#35;",
    "<b>",
    "<!--",
    "-->",
    "<https://x.y>",
    "![img](#s0)",
    "[",
    "]",
    "(",
    ")",
    "](",
    "[ref]",
    "[x][ref]",
    "*",
    "_",
    "**FR-001**",
    "[NEEDS CLARIFICATION: why]",
    "T001",
    "\t",
    "  ",
]
_PREFIXES = ["", "", "", "    ", "\t", "  \t", "> ", ">     ", "- ", "-     ", "1. ", "  ", "   "]
_BLOCK_LINES = [
    "",
    "",
    "```",
    "```python file=x.py",
    "~~~",
    "    ```",
    "> ```",
    "- ```",
    "[ref]: #y",
    "[ref]: <#z> 'title'",
    "<div>",
    "</div>",
    "<!-- comment",
    "-->",
    "<pre>",
    "</pre>",
    "---",
    "===",
    "## Heading [@use](#s0) {#h}",
]


@st.composite
def _link(draw: st.DrawFn) -> str:
    label = draw(st.sampled_from(_LABELS))
    target = draw(st.sampled_from(_TARGETS))
    title = draw(st.sampled_from(_TITLES))
    return f"[{label}]({target}{title})"


@st.composite
def _line(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(_BLOCK_LINES))
    parts = draw(st.lists(st.one_of(_link(), st.sampled_from(_WORDS)), max_size=6))
    sep = draw(st.sampled_from([" ", "", " "]))
    return draw(st.sampled_from(_PREFIXES)) + sep.join(parts)


_SECTION = st.lists(_line(), min_size=1, max_size=14).map("\n".join)
_SCANNER = layout_for("a.spec.md")


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_SECTION)
@example("## S {#s}\n[@use](#s0) and [x](b.spec.md#y)\n\nSome `code` and [l](https://e.com).")
@example("    [@use](#s0)")
@example(">     [@use](#s0)")
@example("-     [@use](#s0)")
@example("[a [@use](#s0)](#b)")
@example("[ref]: #y\n\n[x][ref][@use](#s0)")
@example("<!--\n\n[@use](#s0)\n\n-->")
@example("- ```\n  [@use](#s0)\n  ```")
@example("`a\n[@use](#s0) b`")
@example("[@use](#s0\u00a0) [@use](#s1)")
@example("[a]([@use](#s0))")
@example("\t[@use](#s0)")
@example("para\n\n  \t[@use](#s0)")
@example("`x` [@use](#s0)")
@example("[@use](#a&amp;b)")
@example("[@use](#a\\_b)")
@example("![@use](#s0)")
@example("<b>[@use](#s0)</b>")
@example("[@use]: #y\n\n[ref][@use](#s0)")
@example("- ~~~\n\n  [@use](#s0)")
@example("`a\n\u00a0\n[@use](#s0)\n\u3000\nb`")
def test_fast_path_equals_mistune(text: str) -> None:
    fast = parse_chunk_uncached(text, _SCANNER)
    exact = parse_chunk_uncached(text, _SCANNER, exact=True)
    assert fast == exact


def test_a_plain_section_is_parsed_without_mistune(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken where it should be: a section like most real ones
    (directives on their own paragraph, code spans elsewhere) never reaches mistune."""
    import specls.dialect.chunk as chunk

    def refuse() -> None:
        raise AssertionError("mistune was asked")

    text = (
        "## Cart 🛒 {#cart}\n[@generate](../src/cart.py) [@use](other.spec.md#ü)\n\n"
        "Prose with `code` and a [link](https://example.com).\n\n"
        "```python file=../src/cart.py\n[@use](#not-a-link)\n```\n"
    )
    monkeypatch.setattr(chunk, "_markdown", refuse)
    parsed = parse_chunk_uncached(text, _SCANNER)
    assert [d.target for d in parsed.directives] == ["../src/cart.py", "other.spec.md#ü"]
    assert [link.fragment for link in parsed.links] == ["ü"]
    assert parsed.directives[1].target_range.start.character == 35
