"""specls.layouts: one layout per spec file, decided by the configured globs;
each layout's symbols, scopes, references, rules; a new layout plugs in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from helpers import analysis, rows, write_tree
from specls import layouts
from specls.config import DEFAULT_INCLUDE, Config
from specls.dialect import Requirement, RequirementKind, Symbols, parse_document
from specls.dialect.chunk import parse_chunk
from specls.layouts import by_name, layout_for
from specls.layouts.base import Layout, definition, markers
from specls.workspace import Workspace


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("specs/auth.spec.md", "specls"),
        ("docs/deep/x.spec.md", "specls"),
        ("specs/001-login/spec.md", "speckit"),
        ("specs/001-login/tasks.md", "speckit"),
        (".specify/memory/constitution.md", "speckit"),
        (".specify/specs/001-login/checklists/ux.md", "speckit"),
        (".kiro/specs/login/requirements.md", "kiro"),
        (".kiro/specs/login/design.md", "kiro"),
        ("openspec/specs/auth/spec.md", "openspec"),
        ("openspec/changes/add-2fa/specs/auth/spec.md", "openspec"),
        ("openspec/changes/add-2fa/proposal.md", "openspec"),
        ("openspec/changes/add-2fa/auth.spec.md", "specls"),  # a *.spec.md is specls' anywhere
        ("notes/anything.md", "specls"),  # included by a user glob: the plain layout
    ],
)
def test_each_path_gets_exactly_one_layout(path: str, name: str) -> None:
    assert layout_for(path).name == name
    assert parse_document(path, "# x\n").layout == name


def test_archived_openspec_changes_are_not_live_specs(tmp_path: Path) -> None:
    ws = Workspace(root=tmp_path)
    assert ws.is_spec_path("openspec/changes/add-2fa/specs/auth/spec.md")
    assert not ws.is_spec_path("openspec/changes/archive/2025-01-01-add-2fa/specs/auth/spec.md")
    assert not ws.is_spec_path("openspec/changes/archive/2025-01-01-add-2fa/proposal.md")


def test_the_default_include_is_the_union_of_the_layout_globs() -> None:
    union = [g for layout in layouts.LAYOUTS for g in layout.globs]
    assert sorted(DEFAULT_INCLUDE) == sorted(set(union))
    assert DEFAULT_INCLUDE[0] == "**/*.spec.md"
    assert Config().include == list(DEFAULT_INCLUDE)


def test_configured_globs_decide_the_layout_and_the_default_include() -> None:
    config = Config.model_validate({"layouts": {"openspec": ["design/**/spec.md"]}})
    assert layout_for("design/auth/spec.md", config).name == "openspec"
    assert layout_for("openspec/specs/auth/spec.md", config).name == "specls"
    assert "design/**/spec.md" in config.include
    assert "openspec/specs/**/spec.md" not in config.include


def test_openspec_rules_follow_the_configured_globs_not_the_folder_name(tmp_path: Path) -> None:
    body = "# Auth\n## Requirements\n### Requirement: Login\nNothing.\n"
    write_tree(
        tmp_path,
        {
            "specls.toml": '[layouts]\nopenspec = ["design/**/spec.md"]\n',
            "design/auth/spec.md": body,
            "openspec/specs/auth/spec.md": body,  # no longer a spec at all
        },
    )
    ws = Workspace.load(tmp_path)
    assert sorted(ws.docs) == ["design/auth/spec.md"]
    assert rows(analysis(tmp_path).findings) == [
        ("SPEC114", "warning", "design/auth/spec.md", "2:0-2:22"),
        ("SPEC115", "warning", "design/auth/spec.md", "2:0-2:22"),
    ]


def test_an_unknown_layout_in_the_config_is_reported_on_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specls.toml": 'exclude = []\n\n[layouts]\nbogus = ["x/*.md"]\n'})
    [problem] = Workspace.load(tmp_path).problems
    assert (problem.code.value, problem.path, problem.range.start.line) == (
        "SPEC118",
        "specls.toml",
        2,
    )
    assert "unknown layout 'bogus'" in problem.message
    assert "specls, speckit, kiro, openspec" in problem.message


def test_the_same_text_is_read_by_each_layout_as_its_tool_reads_it() -> None:
    text = "# Spec\n### Requirement: Login\n- **FR-001**: MUST log in\n"
    speckit = parse_document("specs/001-a/spec.md", text)
    openspec = parse_document("openspec/specs/a/spec.md", text)
    plain = parse_document("a.spec.md", text)

    def ids(doc: object) -> list[tuple[str, str]]:
        assert hasattr(doc, "sections")
        return [(r.id, r.kind.value) for s in doc.sections for r in s.requirements]

    assert ids(speckit) == [("FR-001", "speckit")]
    assert ids(openspec) == [("Login", "openspec")]
    assert ids(plain) == [("Login", "openspec"), ("FR-001", "speckit")]


def test_the_per_section_parse_is_cached_per_layout() -> None:
    text = "## Tasks\n- [ ] T001 Build in src/a.py\n"
    speckit, kiro = by_name("speckit"), by_name("kiro")
    assert parse_chunk(text, speckit) is parse_chunk(text, speckit)
    assert [r.id for r in parse_chunk(text, speckit).requirements] == ["T001"]
    assert parse_chunk(text, kiro).requirements == ()
    assert parse_chunk(text).requirements == ()  # the dialect alone scans no IDs


def test_kiro_criteria_are_named_after_their_requirement_across_sections() -> None:
    doc = parse_document(
        ".kiro/specs/f/requirements.md",
        "### Requirement 3\n#### Acceptance Criteria\n1. WHEN a THE SYSTEM SHALL b\n",
    )
    assert [(r.id, str(r.range)) for s in doc.sections for r in s.requirements] == [
        ("3", "0:16-0:17"),
        ("3.1", "2:0-2:1"),
    ]


@pytest.mark.parametrize(
    ("layout", "ref", "ids"),
    [
        ("kiro", "4.1-4.3", ["4.1", "4.2", "4.3"]),
        ("kiro", "2", ["2"]),
        ("kiro", "4.1-6.2", ["4.1", "5", "6.1", "6.2"]),  # 4.2… only when known
        ("kiro", "16.8–16.10", ["16.8–16.10"]),  # the scan normalises dashes
        ("kiro", "1-3", ["1", "2", "3"]),
        ("kiro", "All", ["*"]),
        ("speckit", "T009-T011", ["T009", "T010", "T011"]),
        ("speckit", "FR-001", ["FR-001"]),
        ("specls", "1.1-1.2", ["1.1", "1.2"]),
    ],
)
def test_references_expand_as_their_layout_says(layout: str, ref: str, ids: list[str]) -> None:
    assert by_name(layout).expand(ref) == ids


def test_what_may_be_renamed_and_what_must_be_traced() -> None:
    speckit, kiro, openspec = by_name("speckit"), by_name("kiro"), by_name("openspec")
    assert speckit.renamable("FR-001") and speckit.renamable("T012")
    assert not kiro.renamable("1.2") and not openspec.renamable("Login")
    [sc] = parse_document("specs/001-a/spec.md", "- **SC-002**: fast\n").sections[0].requirements
    [task] = parse_document("specs/001-a/tasks.md", "- [ ] T001 x\n").sections[0].requirements
    assert speckit.must_trace(sc) and not speckit.must_trace(task)
    assert (speckit.noun(sc), speckit.noun(task)) == ("requirement", "task")


@pytest.mark.parametrize(
    ("layout", "before", "typed"),
    [
        ("speckit", "Does it (covers: FR-001, SC-0", "SC-0"),
        ("speckit", "see FR-", "FR-"),
        ("kiro", "  - _Requirements: 1.1, 2.", "2."),
        ("specls", "  - _Requirements: ", ""),
        ("speckit", "- [ ] T003 [US", "US"),
        ("openspec", "### Requirement: Lo", "Lo"),
        ("openspec", "- FROM: `### Requirement: Sign", "Sign"),
    ],
)
def test_completion_triggers(layout: str, before: str, typed: str) -> None:
    found = [m.group(1) for t in by_name(layout).triggers if (m := t.pattern.search(before))]
    assert found[:1] == [typed]


def test_the_requirement_id_pattern_is_written_once() -> None:
    source = (Path(layouts.__file__).parent.parent).rglob("*.py")
    hits = [p.name for p in source if re.search(r"FR\|SC\|NFR", p.read_text(encoding="utf-8"))]
    # lsp/ is rewritten by the lead to ask the layouts (see the branch's report).
    assert [h for h in hits if h not in {"completion.py", "rename.py"}] == []


class _Adr(Layout):
    """A layout in one class: architecture decisions `ADR-7` cited as `(see ADR-7)`."""

    name: ClassVar[str] = "adr"
    globs: ClassVar[tuple[str, ...]] = ("decisions/*.md",)
    _DEF = re.compile(r"^## (ADR-\d+)")
    _REF = re.compile(r"\(see (ADR-\d+)\)")

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        reqs: list[Requirement] = []
        refs = []
        for n, line in enumerate(lines):
            if n in skip:
                continue
            if d := self._DEF.match(line):
                reqs.append(definition(n, line, d, RequirementKind.SPECKIT))
            refs += markers(n, line, self._REF, 1)
        return Symbols(tuple(reqs), tuple(refs))


def test_a_new_layout_plugs_in_with_one_class_and_one_registry_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adr = _Adr()
    monkeypatch.setattr(layouts, "LAYOUTS", (adr, *layouts.LAYOUTS))
    monkeypatch.setattr(layouts, "_BY_NAME", {x.name: x for x in layouts.LAYOUTS})
    write_tree(
        tmp_path,
        {
            "specls.toml": 'include = ["decisions/*.md"]\n',
            "decisions/one.md": "## ADR-1\nUse it.\n```\n(see ADR-9)\n```\nNot (see ADR-2).\n",
        },
    )
    assert layout_for("decisions/one.md") is adr
    assert rows(analysis(tmp_path).findings) == [
        ("SPEC109", "warning", "decisions/one.md", "5:9-5:14"),
    ]


def test_a_task_defined_twice_is_called_a_task(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"specs/001-a/tasks.md": "# Tasks\n- [ ] T031 one\n- [ ] T031 two (after T031)\n"},
    )
    [dup] = [f for f in analysis(tmp_path).findings if f.code.value == "SPEC110"]
    assert dup.message == "task T031 is defined twice"
    assert (str(dup.range), [(r.path, str(r.range), r.message) for r in dup.related]) == (
        "2:6-2:10",
        [("specs/001-a/tasks.md", "1:6-1:10", "first definition")],
    )


# --- Kiro, as real projects write it ------------------------------------------------------


def _ids(path: str, text: str) -> list[tuple[str, str, str]]:
    doc = parse_document(path, text)
    return [(r.id, r.kind.value, str(r.range)) for s in doc.sections for r in s.requirements]


def _refs(path: str, text: str) -> list[tuple[str, str]]:
    doc = parse_document(path, text)
    return [(m.text, str(m.range)) for s in doc.sections for m in s.requirement_refs]


def test_kiro_every_numbered_item_under_acceptance_criteria_is_a_criterion() -> None:
    text = (
        "### Requirement 1\n"
        "#### Acceptance Criteria\n"
        "1. The parser SHALL keep «ünïcode» 🎉\n"
        "2. A unit test SHALL cover it\n"
        "   1. nested detail is not a criterion\n"
        "### Requirement 2\n"
        "**Acceptance Criteria:**\n"
        "1. when lower-case, still a criterion\n"
    )
    assert _ids(".kiro/specs/f/requirements.md", text) == [
        ("1", "kiro", "0:16-0:17"),
        ("1.1", "kiro", "2:0-2:1"),
        ("1.2", "kiro", "3:0-3:1"),
        ("2", "kiro", "5:16-5:17"),
        ("2.1", "kiro", "7:0-7:1"),
    ]


def test_kiro_only_requirements_md_defines_and_only_tasks_md_has_tasks() -> None:
    heading = "### Requirement 7's two layers\n1. WHEN x THE SYSTEM SHALL y\n- [ ] 1.1 Build\n"
    assert _ids(".kiro/specs/f/design.md", heading) == []
    assert _ids(
        ".kiro/specs/f/tasks.md", "- [ ] 1. Set up\n- [x] 1.1 Done\n- [ ]* 1.2 Optional\n"
    ) == [
        ("1", "task", "0:6-0:7"),
        ("1.1", "task", "1:6-1:9"),
        ("1.2", "task", "2:7-2:10"),
    ]


def test_kiro_trailers_validates_wrapped_and_ranges() -> None:
    text = (
        "- [ ] 2. Sessions\n"
        "  - _Requirements: 1.4–2.1, 2.2,\n"
        "    2.3_\n"
        "  - **Validates: Requirements 1.3**\n"
        "  - _Requirements: All requirements 1-31_\n"
        "  - _Requirements: All_\n"
    )
    assert _refs(".kiro/specs/f/tasks.md", text) == [
        ("1.4-2.1", "1:19-1:26"),
        ("2.2", "1:28-1:31"),
        ("2.3", "2:4-2:7"),
        ("1.3", "3:30-3:33"),
        ("1-31", "4:36-4:40"),
        ("All", "5:19-5:22"),
    ]


def test_kiro_a_range_across_majors_uses_what_is_defined() -> None:
    known = {"4.1", "4.2", "4.3", "6.1", "6.2"}.__contains__
    assert by_name("kiro").expand("4.2-6.1", known) == ["4.2", "4.3", "5", "6.1"]
    assert by_name("kiro").parents("4.2") == ["4"]


def _ws(tmp_path: Path, files: dict[str, str]) -> Workspace:
    write_tree(tmp_path, files)
    return Workspace.load(tmp_path)


KIRO_REQS = "### Requirement 1\n#### Acceptance Criteria\n1. The A SHALL b\n2. The C SHALL d\n"


def test_kiro_ids_are_scoped_to_their_feature(tmp_path: Path) -> None:
    from specls.query import requirement_definitions, requirement_uses

    ws = _ws(
        tmp_path,
        {
            ".kiro/specs/a/requirements.md": KIRO_REQS,
            ".kiro/specs/a/tasks.md": "- [ ] 1. X\n  - _Requirements: 1_\n",
            ".kiro/specs/b/requirements.md": "# Nothing yet\n",
            ".kiro/specs/b/tasks.md": "- [ ] 1. Y\n  - _Requirements: 1.1_\n",
        },
    )
    assert requirement_definitions(ws, "1.1", ".kiro/specs/b/tasks.md") == []
    [here] = requirement_definitions(ws, "1.1", ".kiro/specs/a/tasks.md")
    assert here.doc.path == ".kiro/specs/a/requirements.md"
    uses = requirement_uses(ws, "1.2", ".kiro/specs/a/requirements.md")
    assert [(u.doc.path, u.text) for u in uses] == [(".kiro/specs/a/tasks.md", "1")]
    found = rows(analysis(tmp_path).findings)
    assert found == [
        ("SPEC109", "warning", ".kiro/specs/b/tasks.md", "1:19-1:22"),
    ]


# --- Spec Kit ------------------------------------------------------------------------------


def test_speckit_definition_forms() -> None:
    text = (
        "- **FR-001:** colon inside\n"
        "- **FR-002**: colon outside\n"
        "- FR-003: plain\n"
        "- FR-004 (Binding): labelled\n"
        "### FR-005: As a heading\n"
        "- FR-006 and FR-007 are mentioned, not defined\n"
        "### User Story 1 - Albums (Priority: P1)\n"
    )
    assert [i[0] for i in _ids("specs/001-a/spec.md", text)] == [
        "FR-001",
        "FR-002",
        "FR-003",
        "FR-004",
        "FR-005",
        "US1",
    ]
    # A checklist quoting a definition does not define it again.
    assert _ids("specs/001-a/checklists/requirements.md", text) == []


def test_speckit_references_stories_and_ranges() -> None:
    line = "- [ ] T031 [P] [US2] after T010-T012 (FR-054 through FR-056, SC–001)\n"
    assert _refs("specs/001-a/tasks.md", line) == [
        ("US2", "0:16-0:19"),
        ("T010-T012", "0:27-0:36"),
        ("FR-054-FR-056", "0:38-0:59"),
    ]
    speckit = by_name("speckit")
    assert speckit.expand("T010-T012") == ["T010", "T011", "T012"]
    assert speckit.expand("T010-T013", {"T010", "T013"}.__contains__) == ["T010", "T013"]


def test_speckit_scope_is_the_feature_folder() -> None:
    speckit = by_name("speckit")
    assert speckit.scope("specs/001-a/checklists/requirements.md") == "specs/001-a"
    assert speckit.scope(".specify/specs/001-a/contracts/api.md") == ".specify/specs/001-a"
    assert speckit.scope(".specify/memory/constitution.md") == ".specify/memory"


def test_speckit_untraced_only_in_features_that_trace_by_id(tmp_path: Path) -> None:
    spec = "- **FR-001**: a\n- **FR-002**: b\n"
    _ws(
        tmp_path,
        {
            "specs/001-a/spec.md": spec,
            "specs/001-a/checklists/requirements.md": "- [x] CHK001 [Spec §FR-001]\n",
            "specs/002-b/spec.md": spec,
            "specs/002-b/tasks.md": "- [ ] T001 [US1] by story only\n",
        },
    )
    assert rows(analysis(tmp_path).findings) == [
        ("SPEC108", "info", "specs/001-a/spec.md", "1:4-1:10"),
        ("SPEC109", "warning", "specs/002-b/tasks.md", "0:12-0:15"),
    ]


# --- OpenSpec deltas -----------------------------------------------------------------------


def test_openspec_deltas_resolve_to_the_base_spec(tmp_path: Path) -> None:
    from specls.query import requirement_definitions, requirement_traces

    base = "## Requirements\n### Requirement: Login\nIt SHALL.\n#### Scenario: s\n- ok\n"
    delta = "## MODIFIED Requirements\n### Requirement: Login\nIt SHALL more.\n#### Scenario: t\n"
    ws = _ws(
        tmp_path,
        {
            "openspec/specs/auth/spec.md": base,
            "openspec/changes/c1/specs/auth/spec.md": delta,
            "openspec/changes/archive/c0/specs/auth/spec.md": delta,
        },
    )
    [d] = requirement_definitions(ws, "Login", "openspec/changes/c1/specs/auth/spec.md")
    assert d.doc.path == "openspec/specs/auth/spec.md"
    deltas = requirement_traces(ws, "Login", "openspec/specs/auth")
    assert [(t.doc.path, str(t.range)) for t in deltas] == [
        ("openspec/changes/c1/specs/auth/spec.md", "1:17-1:22")
    ]


# --- clarifications and inline disables ----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "open_"),
    [
        ("Pay by [NEEDS CLARIFICATION: card only?]", True),
        ("- [ ] Decide [NEEDS CLARIFICATION: who?]", True),
        ("- [x] No [NEEDS CLARIFICATION] markers remain", False),
        ("Use [NEEDS CLARIFICATION: specific question] for unknowns", False),
        ("Only mark with [NEEDS CLARIFICATION: question] if", False),
        ("Quoted `[NEEDS CLARIFICATION: x]` in code", False),
        ("<!-- [NEEDS CLARIFICATION: hidden] -->", False),
    ],
)
def test_clarification_markers_that_are_only_mentioned(line: str, open_: bool) -> None:
    doc = parse_document("specs/001-a/spec.md", "# A\n" + line + "\n")
    assert bool(doc.sections[1].clarifications) is open_


def test_inline_disable_on_a_line_and_on_the_block_below(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.spec.md": "# A\n"
            "x [NEEDS CLARIFICATION: one] <!-- specls-disable SPEC107 -->\n"
            "<!-- specls-disable -->\n"
            "y [NEEDS CLARIFICATION: two]\n"
            "z [NEEDS CLARIFICATION: three]\n"
            "\n"
            "w [NEEDS CLARIFICATION: four] <!-- specls-disable SPEC108 -->\n"
        },
    )
    assert rows(analysis(tmp_path).findings) == [("SPEC107", "warning", "a.spec.md", "6:2-6:29")]


def test_a_kiro_requirement_is_traced_by_the_traces_of_its_criteria(tmp_path: Path) -> None:
    from specls.query import requirement_uses

    ws = _ws(
        tmp_path,
        {
            ".kiro/specs/a/requirements.md": KIRO_REQS,
            ".kiro/specs/a/tasks.md": "- [ ] 1. X\n  - _Requirements: 1.1-1.2_\n",
        },
    )
    uses = requirement_uses(ws, "1", ".kiro/specs/a/requirements.md")
    assert [(u.doc.path, u.text, str(u.range)) for u in uses] == [
        (".kiro/specs/a/tasks.md", "1.1-1.2", "1:19-1:26")
    ]


def test_a_plain_spec_under_a_custom_glob_keeps_every_definition(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "specls.toml": 'include = ["docs/**/*.md"]\n',
            "docs/reqs.md": "- **FR-001**: a\n- [ ] T001 build (covers: FR-001)\n",
        },
    )
    ws = Workspace.load(tmp_path)
    doc = ws.docs["docs/reqs.md"]
    assert doc.layout == "specls"
    assert [r.id for s in doc.sections for r in s.requirements] == ["FR-001", "T001"]
    assert rows(analysis(tmp_path).findings) == []
