"""Definition, references and hover expand references as the document's layout reads them.

Kiro ranges across majors (en-dash) and "All requirements", Spec Kit
`FR-001 through FR-003`, task ranges and `[US1]`, each resolving only in its
own feature folder; an OpenSpec delta's requirement leads to the base spec's.
"""

from __future__ import annotations

from specls.ide.hover import hover
from specls.ide.references import references
from specls.ide.targets import targets_at
from specls.text import Range

from ide.memfs import world

KIRO = """
    //- .kiro/specs/auth/requirements.md
    # Requirements — «é»

    ### Requirement 1

    #### Acceptance Criteria

    1. WHEN a shopper signs in THEN the service SHALL issue a session
    2. The service SHALL hash passwords

    ### Requirement 2

    #### Acceptance Criteria

    1. The session store SHALL survive a restart
    2. The session store SHALL be encrypted
    //- .kiro/specs/auth/tasks.md
    # Plan

    - [ ] 1. Sessions
      - 🔒 _Requirements: 1.2–{a}2.1_
    - [ ] 2. Checkpoint
      - _Requirements: {b}All requirements_
      - **Validates: Requirements {c}2.2**
    //- .kiro/specs/other/requirements.md
    ### Requirement 1

    #### Acceptance Criteria

    1. The other feature SHALL be elsewhere
"""

REQS = ".kiro/specs/auth/requirements.md"


def kiro(cursor: str) -> str:
    marks = {"a": "", "b": "", "c": ""}
    marks[cursor] = "$0"
    return KIRO.format(**marks)


def test_a_kiro_range_across_majors_with_an_en_dash() -> None:
    w = world(kiro("a"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    # `🔒` is two UTF-16 units: the marker `1.2–2.1` starts at column 22.
    assert origin == Range.of(3, 22, 3, 29)
    assert [(t.rel, t.range) for t in found] == [
        (REQS, Range.of(7, 0, 7, 1)),  # 1.2
        (REQS, Range.of(13, 0, 13, 1)),  # 2.1
    ]


def test_all_requirements_leads_to_every_requirement_of_the_feature_only() -> None:
    w = world(kiro("b"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(5, 19, 5, 22)
    assert {t.rel for t in found} == {REQS}
    assert [t.range.start.line for t in found] == [2, 6, 7, 9, 13, 14]


def test_validates_is_navigable_and_hover_shows_the_criterion() -> None:
    w = world(kiro("c"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(6, 30, 6, 33)
    assert [(t.rel, t.range) for t in found] == [(REQS, Range.of(14, 0, 14, 1))]
    h = hover(w.snap, w.path, w.pos, markdown=False)
    assert h is not None and "The session store SHALL be encrypted" in h.text
    assert h.range == origin


def test_references_on_a_kiro_criterion_include_ranges_and_all() -> None:
    w = world(kiro("a"))
    found = references(w.snap, w.path, w.pos, declaration=False)
    tasks = ".kiro/specs/auth/tasks.md"
    # 1.2 and 2.1: the range itself and "All requirements" trace both
    assert found == [(tasks, Range.of(3, 22, 3, 29)), (tasks, Range.of(5, 19, 5, 22))]


SPECKIT = """
    //- specs/001-albums/spec.md
    # Albums ✨

    ### User Story 1 - Browse albums (Priority: P1)

    - **FR-001**: Users MUST see albums.
    - **FR-002:** Users MUST sort albums.
    ### FR-003: Albums MUST load fast
    //- specs/001-albums/tasks.md
    # Tasks

    - [ ] T001 [{a}US1] 🚀 Build the grid (covers: {b}FR-001 through FR-003)
    - [ ] T002 Check {c}T001-T002 in src/grid.py
    //- specs/002-sharing/spec.md
    ### User Story 1 - Share

    - **FR-001**: Elsewhere.
"""

SPEC = "specs/001-albums/spec.md"
TASKS = "specs/001-albums/tasks.md"


def speckit(cursor: str) -> str:
    marks = {"a": "", "b": "", "c": ""}
    marks[cursor] = "$0"
    return SPECKIT.format(**marks)


def test_a_user_story_resolves_in_its_feature_folder() -> None:
    w = world(speckit("a"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(2, 12, 2, 15)
    assert [(t.rel, t.range) for t in found] == [(SPEC, Range.of(2, 4, 2, 16))]
    h = hover(w.snap, w.path, w.pos, markdown=False)
    assert h is not None and "Browse albums" in h.text


def test_fr_through_range_expands_within_the_feature() -> None:
    w = world(speckit("b"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    # `🚀` (two UTF-16 units) precedes the range
    assert origin == Range.of(2, 44, 2, 65)
    assert [(t.rel, t.range) for t in found] == [
        (SPEC, Range.of(4, 4, 4, 10)),
        (SPEC, Range.of(5, 4, 5, 10)),
        (SPEC, Range.of(6, 4, 6, 10)),
    ]


def test_a_task_range_leads_to_both_tasks() -> None:
    w = world(speckit("c"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(3, 17, 3, 26)
    assert [(t.rel, t.range) for t in found] == [
        (TASKS, Range.of(2, 6, 2, 10)),
        (TASKS, Range.of(3, 6, 3, 10)),
    ]


def test_references_on_a_story_list_its_tasks() -> None:
    text = speckit("").replace("### User Story 1", "### User St$0ory 1", 1)
    w = world(text)
    assert references(w.snap, w.path, w.pos, declaration=True) == [
        (SPEC, Range.of(2, 4, 2, 16)),
        (TASKS, Range.of(2, 12, 2, 15)),
    ]


OPENSPEC = """
    //- openspec/specs/auth/spec.md
    # Auth — «spec»

    ### Requirement: {base}User login
    The system SHALL let users sign in.

    #### Scenario: Valid password
    - WHEN a user signs in
    - THEN a session is issued
    //- openspec/changes/remember-me/specs/auth/spec.md
    ## MODIFIED Requirements

    ### Requirement: {delta}User login
    The system SHALL let users sign in and stay signed in.

    #### Scenario: Remember me
    - WHEN a user ticks "remember me"
    - THEN the session lasts 30 days
"""

BASE = "openspec/specs/auth/spec.md"
DELTA = "openspec/changes/remember-me/specs/auth/spec.md"


def test_a_modified_delta_leads_to_the_base_requirement() -> None:
    w = world(OPENSPEC.format(base="", delta="$0"))
    origin, found = targets_at(w.snap, w.path, w.pos)
    assert origin == Range.of(2, 17, 2, 27)
    assert [(t.rel, t.range) for t in found] == [(BASE, Range.of(2, 17, 2, 27))]


def test_references_on_a_base_requirement_list_its_deltas() -> None:
    w = world(OPENSPEC.format(base="$0", delta=""))
    assert references(w.snap, w.path, w.pos, declaration=False) == [(DELTA, Range.of(2, 17, 2, 27))]
