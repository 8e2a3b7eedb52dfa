"""specls.dialect: sections, directives, code blocks and requirement IDs, with exact ranges.

Ranges are UTF-16 columns (`str(Range)` is "l:c-l:c"); where a range is
easier to see than to count, the fixture marks it with two `$0`.
"""

from __future__ import annotations

import pytest
from fixture import fixture, range_from_str
from specls.dialect import DirectiveKind, RequirementKind, SpecDocument, parse_document
from specls.findings import Code, Severity

PATH = "specs/a.spec.md"


def parse(text: str) -> SpecDocument:
    return parse_document(PATH, text)


def ids(doc: SpecDocument) -> list[str]:
    return [s.id for s in doc.sections[1:]]


def directives(doc: SpecDocument) -> list[tuple[str, str, str, str | None, str, str, str]]:
    return [
        (
            d.kind.value,
            d.target,
            d.path,
            d.fragment,
            str(d.range),
            str(d.label_range),
            str(d.target_range),
        )
        for s in doc.sections
        for d in s.directives
    ]


# --- positions: non-ASCII, CRLF, tabs -------------------------------------------------------


def test_emoji_and_cjk_before_a_directive_count_in_utf16_units() -> None:
    f = fixture(
        """
        # Title
        😀 中文 $0[@generate](../src/x.py#Foo)$0 after
        """
    )
    doc = parse(f.text)
    [d] = doc.sections[1].directives
    assert d.range == f.range == range_from_str("1:6-1:34")  # 😀 is two units, 中文 two
    assert str(d.label_range) == "1:7-1:16"
    assert str(d.target_range) == "1:18-1:33"
    assert (d.kind, d.path, d.fragment) == (DirectiveKind.GENERATE, "../src/x.py", "Foo")


def test_astral_characters_in_a_heading_shift_the_explicit_id_range() -> None:
    f = fixture("## 🛒 Cart 购物车 $0{#cart}$0\n")
    [_, section] = parse(f.text).sections
    assert section.id == "cart" and section.title == "🛒 Cart 购物车"
    assert section.id_range == f.range == range_from_str("0:15-0:22")
    assert str(section.heading_range) == "0:0-0:22"


def test_crlf_line_endings_give_the_same_ranges_as_lf() -> None:
    lf = "# T\nsee [@use](a.md#x)\n```py file=x.py\ncode\n```\n## B {#b}\n"
    crlf = lf.replace("\n", "\r\n")
    a, b = parse(lf), parse(crlf)
    assert (
        directives(a)
        == directives(b)
        == [("use", "a.md#x", "a.md", "x", "1:4-1:18", "1:5-1:9", "1:11-1:17")]
    )
    [block] = b.sections[1].code_blocks
    assert block.content == "code\n"  # no stray \r
    assert (block.file, str(block.range), str(block.file_range)) == ("x.py", "2:0-4:3", "2:11-2:15")
    assert [str(s.range) for s in a.sections] == [str(s.range) for s in b.sections]
    assert b.sections[2].id_range == range_from_str("5:5-5:9")


def test_a_lone_cr_ends_a_line_too() -> None:
    doc = parse("# A\r[@use](b.md)\r# B\r")
    assert ids(doc) == ["a", "b"]
    assert directives(doc)[0][4] == "1:0-1:12"


def test_a_tab_is_one_utf16_unit() -> None:
    f = fixture("# T\ntext\t$0[@use](a.md)$0\n")
    [d] = parse(f.text).sections[1].directives
    assert d.range == f.range == range_from_str("1:5-1:17")


def test_a_tab_indented_line_after_a_heading_is_indented_code() -> None:
    doc = parse("# T\n\t[@use](a.md)\n\n    # not a heading\n")
    assert directives(doc) == [] and ids(doc) == ["t"]


# --- fenced and indented code ---------------------------------------------------------------


def test_headings_and_links_in_backtick_and_tilde_fences_are_ignored() -> None:
    doc = parse(
        "# Real\n"
        "```markdown\n"
        "# Not a heading\n"
        "[@generate](nope.py)\n"
        "```\n"
        "~~~\n"
        "## Neither\n"
        "[@use](nope.md)\n"
        "~~~\n"
        "[@use](yes.md)\n"
    )
    assert ids(doc) == ["real"]
    assert [d.target for s in doc.sections for d in s.directives] == ["yes.md"]
    assert [str(b.range) for b in doc.sections[1].code_blocks] == ["1:0-4:3", "5:0-8:3"]


def test_a_longer_closing_fence_closes_and_a_shorter_one_does_not() -> None:
    doc = parse("# A\n````\n```\n# inside\n```\n`````\n# B\n~~~\n~~~~\n# C\n")
    # ```` is closed by ````` (longer); ~~~ is closed by ~~~~.
    assert ids(doc) == ["a", "b", "c"]
    [block] = doc.sections[1].code_blocks
    assert block.content == "```\n# inside\n```\n"
    assert str(block.range) == "1:0-5:5"


def test_a_fence_of_the_other_kind_does_not_close() -> None:
    doc = parse("# A\n```\n~~~\n# inside\n```\n# B\n")
    assert ids(doc) == ["a", "b"]


def test_an_unclosed_fence_runs_to_the_end_of_the_document() -> None:
    doc = parse("# A\n```python file=x.py\n# inside\n[@use](x.md)\n")
    assert ids(doc) == ["a"]
    assert doc.sections[1].directives == ()
    [block] = doc.sections[1].code_blocks
    assert block.file == "x.py"
    assert block.content.startswith("# inside\n[@use](x.md)\n")
    assert block.range.start.line == 1 and block.range.end.line == 4


def test_a_backtick_fence_whose_info_has_a_backtick_is_not_a_fence() -> None:
    doc = parse("# A\n``` a`b\n# B\n")
    assert ids(doc) == ["a", "b"]


def test_indented_code_is_neither_heading_nor_directive() -> None:
    doc = parse("# A\n\n    # indented\n    [@generate](x.py)\n\n   # three spaces is a heading\n")
    assert ids(doc) == ["a", "three-spaces-is-a-heading"]
    assert directives(doc) == []


def test_an_indented_line_continuing_a_paragraph_is_not_code() -> None:
    doc = parse("# A\nsee\n    [@use](b.md)\n")
    assert [d.target for d in doc.sections[1].directives] == ["b.md"]


def test_fence_info_string_file_attribute_plain_and_quoted() -> None:
    f = fixture(
        """
        # A
        ```python file=../src/x.py
        a = 1
        ```
        ```ts   file="../src/my file.ts#Cls" other=1
        b
        ```
        ``` file='x.go'
        c
        ```
        ```
        d
        ```
        """
    )
    blocks = parse(f.text).sections[1].code_blocks
    assert [(b.language, b.file, b.content) for b in blocks] == [
        ("python", "../src/x.py", "a = 1\n"),
        ("ts", "../src/my file.ts#Cls", "b\n"),
        (None, "x.go", "c\n"),
        (None, None, "d\n"),
    ]
    assert [str(b.file_range) for b in blocks] == ["1:15-1:26", "4:14-4:35", "7:10-7:14", "None"]
    assert [str(b.info_range) for b in blocks] == ["1:3-1:26", "4:3-4:44", "7:4-7:15", "10:3-10:3"]


def test_file_attribute_after_non_ascii_info_text() -> None:
    f = fixture("# A\n```py title=😀 file=$0x.py$0\nx\n```\n")
    [block] = parse(f.text).sections[1].code_blocks
    assert block.file_range == f.range


# --- headings: ATX, setext, IDs --------------------------------------------------------------


def test_atx_headings_levels_closing_hashes_and_nesting() -> None:
    doc = parse("# One #\n## Two ##\n### Three\n## Four\n#NoSpace\n####### seven\n")
    assert [(s.level, s.title, s.id) for s in doc.sections[1:]] == [
        (1, "One", "one"),
        (2, "Two", "two"),
        (3, "Three", "three"),
        (2, "Four", "four"),
    ]
    one, two, three, four = doc.sections[1:]
    assert (two.parent, three.parent, four.parent) == (one.index, two.index, one.index)
    assert one.children == (two.index, four.index)
    assert str(one.range) == "0:0-5:13"
    assert str(two.range) == "1:0-2:9"


def test_setext_headings_equals_and_dashes_multi_line() -> None:
    doc = parse("Main title\ncontinued here\n===\n\nSub\n---\ntext\n\n---\n")
    assert [(s.level, s.title, s.id) for s in doc.sections[1:]] == [
        (1, "Main title continued here", "main-title-continued-here"),
        (2, "Sub", "sub"),
    ]
    main, sub = doc.sections[1:]
    assert str(main.heading_range) == "0:0-2:3"
    assert str(sub.heading_range) == "4:0-5:3"
    assert sub.parent == main.index
    # A `---` after a blank line is a thematic break, not a heading.
    assert str(sub.range) == "4:0-8:3"


def test_setext_underline_needs_a_paragraph() -> None:
    doc = parse("# A\n\n---\n- item\n---\n> quote\n===\n")
    assert ids(doc) == ["a"]


def test_duplicate_slugs_are_numbered_like_github() -> None:
    doc = parse("# A\n## A\n## A\n## A-1\n## Café & Crème!\n## `code` *em* [link](x)\n")
    assert ids(doc) == ["a", "a-1", "a-2", "a-1-1", "café--crème", "code-em-link"]


def test_explicit_ids_win_and_reserve_their_slug() -> None:
    f = fixture("# Login flow $0{#auth.login}$0\n# Auth.login\n# Other {#login-flow}\n")
    doc = parse(f.text)
    assert [(s.title, s.id, s.explicit_id) for s in doc.sections[1:]] == [
        ("Login flow", "auth.login", True),
        ("Auth.login", "authlogin", False),
        ("Other", "login-flow", True),
    ]
    assert doc.sections[1].id_range == f.range


def test_a_generated_slug_skips_an_explicit_id_used_later() -> None:
    doc = parse("# Setup\n# Other {#setup}\n")
    assert ids(doc) == ["setup-1", "setup"]
    assert doc.problems == ()


def test_duplicate_explicit_ids_are_spec103_on_the_second() -> None:
    f = fixture("# A {#x}\ntext\n## B $0{#x}$0\n")
    doc = parse(f.text)
    [problem] = doc.problems
    assert (problem.code, problem.severity, problem.path) == (
        Code.DUPLICATE_ID,
        Severity.ERROR,
        PATH,
    )
    assert problem.range == f.range
    assert "'x'" in problem.message


def test_section_at_finds_the_innermost_section() -> None:
    doc = parse("pre\n# A\na\n## B\nb\n# C\n")
    assert [doc.section_at(n).id for n in range(6)] == ["", "a", "a", "b", "b", "c"]


def test_section_range_excludes_trailing_blank_lines() -> None:
    doc = parse("# A\ntext\n\n\n# B\n")
    assert str(doc.sections[1].range) == "0:0-1:4"


# --- directives ----------------------------------------------------------------------------


def test_every_directive_kind_and_a_same_document_reference() -> None:
    doc = parse(
        "# A\n"
        "[@generate](../src/a.py) [@test](../tests/t.py#test_a)\n"
        "[@use](b.spec.md#model) [@use](#local) [@describe](../src/h.py#Cls.method)\n"
    )
    assert [(k, t, p, fr) for k, t, p, fr, *_ in directives(doc)] == [
        ("generate", "../src/a.py", "../src/a.py", None),
        ("test", "../tests/t.py#test_a", "../tests/t.py", "test_a"),
        ("use", "b.spec.md#model", "b.spec.md", "model"),
        ("use", "#local", "", "local"),
        ("describe", "../src/h.py#Cls.method", "../src/h.py", "Cls.method"),
    ]
    assert doc.sections[1].is_unit


def test_a_directive_before_any_heading_belongs_to_the_preamble() -> None:
    doc = parse("[@use](x.md)\n# A\n")
    assert [d.target for d in doc.sections[0].directives] == ["x.md"]
    assert doc.sections[1].directives == ()


def test_directives_in_code_spans_are_ignored() -> None:
    doc = parse("# A\nWrite `[@generate](x.py)` or ``[@use](y.md)`` to declare one.\n")
    assert directives(doc) == []


def test_a_directive_after_the_same_text_in_a_code_span_gets_its_own_range() -> None:
    f = fixture("# A\nSyntax: `[@generate](x.py)`, here: $0[@generate](x.py)$0\n")
    [d] = parse(f.text).sections[1].directives
    assert d.range == f.range


def test_escaped_brackets_and_images_are_not_directives() -> None:
    doc = parse("# A\n\\[@use](a.md) ![@generate](b.png) [@use](c.md)\n")
    assert [d.target for d in doc.sections[1].directives] == ["c.md"]


def test_a_directive_after_a_link_with_a_single_quoted_title_is_found() -> None:
    doc = parse("# A\n[@generate](x.py 'title') [@use](b.md) [@use](c.md (t))\n")
    assert [d.target for d in doc.sections[1].directives] == ["x.py", "b.md", "c.md"]


def test_backslash_escapes_in_a_target_are_resolved_in_the_path() -> None:
    f = fixture("# A\n[@use]($0a\\_b.md$0) [@use](c.md)\n")
    doc = parse(f.text)
    first, second = doc.sections[1].directives
    assert (first.path, second.path) == ("a_b.md", "c.md")
    assert first.target_range == f.range


def test_angle_bracket_targets_may_contain_spaces() -> None:
    f = fixture("# A\n😀 [@generate](<$0../src/my file.py#My Sym$0>)\n")
    [d] = parse(f.text).sections[1].directives
    assert (d.target, d.path, d.fragment) == (
        "../src/my file.py#My Sym",
        "../src/my file.py",
        "My Sym",
    )
    assert d.target_range == f.range
    assert str(d.range) == "1:3-1:42"


def test_percent_encoded_targets_are_decoded_in_the_path() -> None:
    [d] = parse("# A\n[@use](my%20notes.md#x)\n").sections[1].directives
    assert (d.path, d.fragment) == ("my notes.md", "x")


def test_a_directive_in_a_heading_or_a_list_or_emphasis_counts() -> None:
    doc = parse("# A [@use](h.md)\n- item [@use](l.md)\n> *[@use](q.md)*\n")
    assert [d.target for d in doc.sections[1].directives] == ["h.md", "l.md", "q.md"]


def test_unknown_directives_are_markers_and_urls_are_not() -> None:
    f = fixture("# A\n[@generat](x.py) [@see](https://example.com) [$0@Use$0](y.md)\n")
    doc = parse(f.text)
    assert [(m.text, m.range) for m in doc.sections[1].unknown_directives] == [
        ("generat", range_from_str("1:1-1:9")),
        ("Use", f.range),
    ]
    assert doc.sections[1].directives == ()


def test_links_inside_an_html_block_are_not_directives() -> None:
    doc = parse("# A\n<!-- [@use](c.md) -->\n\n[@use](d.md)\n")
    assert [d.target for d in doc.sections[1].directives] == ["d.md"]


# --- markers and requirement IDs -------------------------------------------------------------


def test_clarification_markers_with_and_without_a_question() -> None:
    f = fixture("# A\n中 $0[NEEDS CLARIFICATION: who signs?]$0 and [NEEDS CLARIFICATION]\n")
    [first, second] = parse(f.text).sections[1].clarifications
    assert (first.text, first.range) == ("who signs?", f.range)
    assert (second.text, str(second.range)) == ("", "1:40-1:61")


def test_clarification_in_code_is_ignored() -> None:
    doc = parse("# A\n```\n[NEEDS CLARIFICATION: x]\n```\n")
    assert doc.sections[1].clarifications == ()


def test_spec_kit_requirements_tasks_and_references() -> None:
    doc = parse(
        "# Spec\n"
        "- **FR-001**: System MUST do x\n"
        "- **SC-002**: y holds (covers: FR-001)\n"
        "**NFR-010** fast\n"
        "## Tasks\n"
        "- [ ] T001 [P] [US1] Create model in src/models/user.py\n"
        "- [x] T002 After T001 in `src/x.py` (covers: FR-001, SC-002)\n"
    )
    spec, tasks = doc.sections[1:]
    assert [(r.id, r.kind, str(r.range)) for r in spec.requirements] == [
        ("FR-001", RequirementKind.SPECKIT, "1:4-1:10"),
        ("SC-002", RequirementKind.SPECKIT, "2:4-2:10"),
        ("NFR-010", RequirementKind.SPECKIT, "3:2-3:9"),
    ]
    assert [(m.text, str(m.range)) for m in spec.requirement_refs] == [("FR-001", "2:31-2:37")]
    assert [(r.id, r.kind, str(r.range)) for r in tasks.requirements] == [
        ("T001", RequirementKind.TASK, "5:6-5:10"),
        ("T002", RequirementKind.TASK, "6:6-6:10"),
    ]
    assert sorted((m.range.start, m.text, str(m.range)) for m in tasks.requirement_refs) == [
        (range_from_str("6:17").start, "T001", "6:17-6:21"),
        (range_from_str("6:45").start, "FR-001", "6:45-6:51"),
        (range_from_str("6:53").start, "SC-002", "6:53-6:59"),
    ]
    assert [(m.text, str(m.range)) for m in tasks.path_refs] == [
        ("src/models/user.py", "5:37-5:55"),
        ("src/x.py", "6:26-6:34"),
    ]


def test_kiro_requirements_criteria_and_trailers_with_ranges() -> None:
    doc = parse(
        "# Requirements\n"
        "### Requirement 1\n"
        "#### Acceptance Criteria\n"
        "1. WHEN a user logs in THEN THE SYSTEM SHALL issue a token\n"
        "2. IF the password is wrong THEN THE SYSTEM SHALL refuse\n"
        "### Requirement 2\n"
        "1. WHILE idle THE SYSTEM SHALL sleep\n"
        "# Tasks\n"
        "- [ ] 1. Build login\n"
        "  - _Requirements: 1.1, 2.1_\n"
        "  - _Requirements: 4.1-4.6, 3_\n"
    )
    reqs = [(r.id, str(r.range)) for s in doc.sections for r in s.requirements]
    assert reqs == [
        ("1", "1:16-1:17"),
        ("1.1", "3:0-3:1"),
        ("1.2", "4:0-4:1"),
        ("2", "5:16-5:17"),
        ("2.1", "6:0-6:1"),
    ]
    assert all(r.kind is RequirementKind.KIRO for s in doc.sections for r in s.requirements)
    refs = [(m.text, str(m.range)) for m in doc.sections[-1].requirement_refs]
    assert refs == [
        ("1.1", "9:19-9:22"),
        ("2.1", "9:24-9:27"),
        ("4.1-4.6", "10:19-10:26"),
        ("3", "10:28-10:29"),
    ]


def test_a_kiro_criterion_before_any_requirement_is_not_an_id() -> None:
    doc = parse("# Intro\n1. WHEN x THE SYSTEM SHALL y\n")
    assert doc.sections[1].requirements == ()


def test_openspec_requirements_and_scenarios() -> None:
    doc = parse(
        "## ADDED Requirements\n"
        "### Requirement: User login\n"
        "The system SHALL log users in.\n"
        "#### Scenario: valid password\n"
        "- WHEN the password is right\n"
    )
    added, req, scenario = doc.sections[1:]
    assert [(r.id, r.kind, str(r.range)) for r in req.requirements] == [
        ("User login", RequirementKind.OPENSPEC, "1:17-1:27")
    ]
    assert (req.id, scenario.title, scenario.parent) == (
        "requirement-user-login",
        "Scenario: valid password",
        req.index,
    )
    assert added.children == (req.index,)


# --- front matter ----------------------------------------------------------------------------


def test_valid_front_matter() -> None:
    doc = parse("---\ngenerator: claude\nid: auth\n---\n# A\n")
    assert doc.front_matter == {"generator": "claude", "id": "auth"}
    assert doc.generator == "claude"
    assert str(doc.front_matter_range) == "0:0-3:3"
    assert doc.problems == ()
    assert str(doc.sections[1].heading_range) == "4:0-4:3"


def test_front_matter_with_crlf() -> None:
    doc = parse("---\r\ngenerator: tangle\r\n---\r\n# A\r\n")
    assert doc.generator == "tangle" and ids(doc) == ["a"]


def test_a_heading_in_front_matter_is_not_a_section() -> None:
    doc = parse("---\n# comment: x\nid: a\n---\n# Real\n")
    assert ids(doc) == ["real"] and doc.front_matter == {"id": "a"}


def test_invalid_front_matter_yaml_is_a_finding_on_its_line() -> None:
    doc = parse("---\nid: a\ngenerator: [tangle\nother: b\n---\n# A\n")
    [problem] = doc.problems
    assert problem.code is Code.BAD_FRONT_MATTER and problem.severity is Severity.ERROR
    assert problem.path == PATH
    assert problem.range.start.line in (2, 3)  # where YAML notices: the open list
    assert "invalid YAML" in problem.message
    assert doc.front_matter == {} and ids(doc) == ["a"]


def test_invalid_front_matter_on_the_first_line() -> None:
    doc = parse("---\n: : :\n---\n")
    [problem] = doc.problems
    assert problem.code is Code.BAD_FRONT_MATTER
    assert str(problem.range) == "1:0-1:5"


def test_front_matter_that_is_not_a_mapping() -> None:
    doc = parse("---\n- a\n- b\n---\n# A\n")
    [problem] = doc.problems
    assert problem.code is Code.BAD_FRONT_MATTER
    assert "mapping" in problem.message
    assert str(problem.range) == "0:0-3:3"


def test_an_unterminated_front_matter_is_plain_text() -> None:
    doc = parse("---\nid: a\n# A\n")
    assert doc.front_matter == {} and ids(doc) == ["a"]


@pytest.mark.parametrize("text", ["", "\n", "---", "---\n---", "#", "# ", "```", "\r\n\r\n"])
def test_degenerate_documents_parse(text: str) -> None:
    doc = parse(text)
    assert doc.sections[0].level == 0 and doc.sections[0].id == ""
    assert all(s.index == i for i, s in enumerate(doc.sections))


# --- links with a #fragment (rename and semantic tokens read these) -----------------------


def links(doc: SpecDocument) -> list[tuple[str, str, str, str, str]]:
    return [
        (link.target, link.path, link.fragment, str(link.range), str(link.fragment_range))
        for s in doc.sections
        for link in s.links
    ]


def test_plain_links_and_directives_with_a_fragment_are_recorded_with_exact_ranges() -> None:
    # Emoji and CJK before the links: columns are UTF-16 units.
    doc = parse(
        "# A {#a}\n"
        "🛒 見る [the cart](cart.spec.md#cart) and [here](#a 'title')\n"
        "[@use](<b.spec.md#x%2Dy>) [*bold*](#a) [web](https://e.org/p#a) [none](c.md)\n"
    )
    assert links(doc) == [
        ("cart.spec.md#cart", "cart.spec.md", "cart", "1:17-1:34", "1:30-1:34"),
        ("#a", "", "a", "1:47-1:49", "1:48-1:49"),
        ("b.spec.md#x%2Dy", "b.spec.md", "x-y", "2:8-2:23", "2:18-2:23"),
        ("#a", "", "a", "2:35-2:37", "2:36-2:37"),
        # a relative Markdown file without a fragment: a link to the file (empty fragment)
        ("c.md", "c.md", "", "2:71-2:75", "2:75-2:75"),
    ]


def test_links_in_code_spans_escaped_or_in_indented_code_are_not_links() -> None:
    doc = parse(
        "# A {#a}\n"
        "Write `[x](#a)` or ``[y](b.spec.md#a)``; \\[y](#a) is text; [real](#a).\n"
        "\n"
        "    [indented](#a)\n"
        "\n"
        "```md\n[fenced](#a)\n```\n"
    )
    assert [(link.target, str(link.range)) for link in doc.sections[1].links] == [
        ("#a", "1:66-1:68")
    ]


def test_a_link_after_the_same_text_in_a_code_span_gets_its_own_range() -> None:
    f = fixture("# A\nSyntax: `[x](#a)`, here: [x](#$0a$0)\n")
    [link] = parse(f.text).sections[1].links
    assert link.fragment_range == f.range
