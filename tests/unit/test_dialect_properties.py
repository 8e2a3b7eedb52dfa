"""Properties of `parse_document`: it never raises, every range lies inside the
document, and an edit to one section leaves every other section as it was."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from specls.dialect import Section, SpecDocument, parse_document
from specls.text import Range, split_lines, utf16_len

# Pieces that exercise the scanner and the inline parser; mixed with arbitrary text.
TOKENS = [
    "# ", "## ", "### ", "#", "\n", "\r\n", "\r", "\n\n", "```", "````", "~~~", "```py file=x.py",
    "    ", "\t", "---", "===", "- ", "> ", "1. WHEN ", "[@generate](", "[@use](", "[@test](",
    "[@describe](", "[@nope](", "](", ")", "(", "<", ">", "{#", "}", "{#x}", "`", "``", "\\",
    "[NEEDS CLARIFICATION: ", "]", "[", "**FR-001**", "FR-002", "- [ ] T001 ", " in src/a.py",
    "_Requirements: 1.1, 2.1-2.3_", "### Requirement 1", "### Requirement: X", "#### Scenario: y",
    "file=\"a b.py\"", "'", '"', "😀", "中", "é", "\u200d", "#Sym", "../", "a.md", "*", "_",
    "<!--", "-->", "---\nid: [\n---\n", "---\ngenerator: tangle\n---\n",
]  # fmt: skip

markdownish = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), max_size=60).map(
    "".join
)


def all_ranges(doc: SpecDocument) -> Iterator[tuple[str, Range]]:
    if doc.front_matter_range is not None:
        yield "front matter", doc.front_matter_range
    for p in doc.problems:
        yield f"problem {p.code}", p.range
    for s in doc.sections:
        yield f"section {s.id!r} heading", s.heading_range
        yield f"section {s.id!r}", s.range
        if s.id_range is not None:
            yield f"section {s.id!r} id", s.id_range
        for d in s.directives:
            yield "directive", d.range
            yield "directive label", d.label_range
            yield "directive target", d.target_range
        for b in s.code_blocks:
            yield "code block", b.range
            yield "info", b.info_range
            if b.file_range is not None:
                yield "file=", b.file_range
        for group in (s.clarifications, s.requirement_refs, s.path_refs, s.unknown_directives):
            for m in group:
                yield f"marker {m.text!r}", m.range
        for r in s.requirements:
            yield f"requirement {r.id}", r.range


def assert_ranges_inside(text: str, doc: SpecDocument) -> None:
    lines = split_lines(text)
    assert doc.line_count == len(lines)
    for what, r in all_ranges(doc):
        assert r.start <= r.end, (what, str(r))
        for p in (r.start, r.end):
            assert 0 <= p.line < len(lines), (what, str(r))
            assert 0 <= p.character <= utf16_len(lines[p.line]), (what, str(r), lines[p.line])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
@example("# A\n```\n")
@example("---\n: [\n---\n")
@example("😀[@use](<a b>)\r\n")
@example("Title\n===\n")
@example("\r\r\n\n\r")
def test_parse_never_raises_and_ranges_lie_inside(text: str) -> None:
    doc = parse_document("specs/p.spec.md", text)
    assert doc.sections and doc.sections[0].level == 0
    assert_ranges_inside(text, doc)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parse_arbitrary_unicode(text: str) -> None:
    doc = parse_document("p.spec.md", text)
    assert_ranges_inside(text, doc)


# --- editing one section -------------------------------------------------------------------

SAFE_LINE = st.lists(
    st.sampled_from(
        [
            "text", "😀 中文", "[@generate](../src/x.py)", "[@use](other.spec.md#a)",
            "`[@use](no.md)`", "[NEEDS CLARIFICATION: who?]", "- **FR-001** MUST",
            "(covers: FR-001)", "- [ ] T001 do in src/a.py", "\t", " ", "WHEN x THE SYSTEM SHALL",
            "[@bogus](x)", "*", "_Requirements: 1.1_",
        ]
    ),
    min_size=1,
    max_size=4,
).map(" ".join)  # fmt: skip
FENCE = st.lists(
    st.sampled_from(["# not a heading", "[@use](x.md)", "code = 1", "~~~", "``", ""]),
    max_size=3,
).map(lambda body: "\n".join(["```python file=../src/x.py", *body, "```"]))
BODY = st.lists(st.one_of(SAFE_LINE, FENCE, st.just("")), max_size=5).map("\n".join)
HEADING = st.tuples(
    st.integers(1, 4), st.sampled_from(["Intro", "Login", "Login", "Cart 🛒", "A {#a}", "数据"])
).map(lambda t: "#" * t[0] + " " + t[1])


def render(sections: list[tuple[str, str]]) -> str:
    return "".join(f"{h}\n{b}\n" if b else f"{h}\n" for h, b in sections)


def comparable(s: Section, shift: int) -> Section:
    """`s` moved by `shift` lines, without the fields an edit elsewhere may change."""
    return replace(
        s,
        heading_range=s.heading_range.shifted(shift),
        id_range=s.id_range.shifted(shift) if s.id_range else None,
        range=s.heading_range.shifted(shift),  # the extent includes subsections
        own_end_line=s.own_end_line + shift,
        directives=tuple(
            replace(
                d,
                range=d.range.shifted(shift),
                label_range=d.label_range.shifted(shift),
                target_range=d.target_range.shifted(shift),
            )
            for d in s.directives
        ),
        code_blocks=tuple(
            replace(
                b,
                range=b.range.shifted(shift),
                info_range=b.info_range.shifted(shift),
                file_range=b.file_range.shifted(shift) if b.file_range else None,
            )
            for b in s.code_blocks
        ),
        clarifications=tuple(replace(m, range=m.range.shifted(shift)) for m in s.clarifications),
        requirements=tuple(replace(r, range=r.range.shifted(shift)) for r in s.requirements),
        requirement_refs=tuple(
            replace(m, range=m.range.shifted(shift)) for m in s.requirement_refs
        ),
        path_refs=tuple(replace(m, range=m.range.shifted(shift)) for m in s.path_refs),
        unknown_directives=tuple(
            replace(m, range=m.range.shifted(shift)) for m in s.unknown_directives
        ),
        links=tuple(
            replace(
                link,
                range=link.range.shifted(shift),
                fragment_range=link.fragment_range.shifted(shift),
            )
            for link in s.links
        ),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(HEADING, BODY), min_size=1, max_size=6),
    st.data(),
)
def test_editing_one_section_leaves_the_others_unchanged(
    sections: list[tuple[str, str]], data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, len(sections) - 1), label="edited section")
    new_body = data.draw(BODY, label="new body")
    edited = list(sections)
    edited[k] = (sections[k][0], new_body)
    before = parse_document("specs/e.spec.md", render(sections))
    after = parse_document("specs/e.spec.md", render(edited))
    assert len(before.sections) == len(after.sections) == len(sections) + 1
    shift = after.line_count - before.line_count
    for i in range(1, len(sections) + 1):
        if i == k + 1:
            continue
        delta = shift if i > k + 1 else 0
        assert comparable(before.sections[i], delta) == comparable(after.sections[i], 0), i
    # The edited section's own content is exactly what parsing its text alone gives.
    alone = parse_document("specs/e.spec.md", render([edited[k]]))
    start = after.sections[k + 1].heading_range.start.line
    a, b = comparable(alone.sections[1], start), comparable(after.sections[k + 1], 0)
    fields = ("directives", "code_blocks", "clarifications", "requirement_refs", "path_refs")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert (a.unknown_directives, a.own_text.rstrip("\n"), a.title) == (
        b.unknown_directives,
        b.own_text.rstrip("\n"),
        b.title,
    )
