"""Hover and code lens on requirements, criteria, stories and tasks: their traces and status."""

from __future__ import annotations

from specls.ide.code_lens import Lens, LensAction, code_lenses
from specls.ide.hover import hover
from specls.ide.targets import targets_at
from specls.ide.tracing import is_test
from specls.text import Position, Range

from ide.memfs import at, world

SPECKIT = """
    //- specs/001-albums/spec.md
    # Albums ✨

    ### User Story 1 - Browse albums (Priority: P1)

    - **FR-001**: Users MUST see albums.
    - **FR-002**: Users MUST sort albums.
    //- specs/001-albums/tasks.md
    # Tasks

    ## Phase 1: Setup 🚀

    - [x] T001 [US1] Album model for FR-001 in src/models/album.py
    - [ ] T002 [US1] Album test for FR-001 in tests/test_album.py
    - [ ] T003 [US1] Grid view (FR-001) in src/views/grid.py

    ## Phase 2: Sorting

    - [x] T004 Sort albums
"""

SPEC = "specs/001-albums/spec.md"
TASKS = "specs/001-albums/tasks.md"


def test_is_test() -> None:
    assert [
        is_test(p) for p in ("tests/test_a.py", "src/a.test.ts", "src/a.py", "a/test_b.py")
    ] == [
        True,
        True,
        False,
        True,
    ]


def test_lens_on_requirements_and_on_tasks_phases() -> None:
    w = world(SPECKIT)
    spec = code_lenses(w.snap, SPEC)
    assert [(lens.range, lens.title, lens.action) for lens in spec] == [
        (Range.of(2, 0, 2, 0), "3 tasks · 2 files · 1 test", LensAction.SHOW_REFERENCES),
        (Range.of(4, 0, 4, 0), "3 tasks · 2 files · 1 test", LensAction.SHOW_REFERENCES),
        (Range.of(5, 0, 5, 0), "not traced", LensAction.SHOW_REFERENCES),
    ]
    fr1 = spec[1].argument
    assert (fr1["path"], fr1["line"], fr1["character"]) == (SPEC, 4, 4)
    assert fr1["locations"] == [
        (TASKS, Range.of(4, 33, 4, 39)),
        (TASKS, Range.of(5, 32, 5, 38)),
        (TASKS, Range.of(6, 28, 6, 34)),
    ]
    assert code_lenses(w.snap, TASKS) == [
        Lens(Range.of(0, 0, 0, 0), "○ 2/4 tasks done", LensAction.NONE),  # the whole file
        Lens(Range.of(2, 0, 2, 0), "○ 1/3 tasks done", LensAction.NONE),
        Lens(Range.of(8, 0, 8, 0), "✓ 1/1 tasks done", LensAction.NONE),
    ]


def test_hover_on_a_requirement_shows_its_tasks_files_and_tests() -> None:
    w = world(SPECKIT)
    found = hover(w.snap, SPEC, at(w.text(SPEC), "FR-001"), markdown=False)
    assert found is not None
    assert found.range == Range.of(4, 4, 4, 10)
    assert "FR-001 — Users MUST see albums." in found.text
    assert "Tasks (1/3 done): T001 ✓, T002 ○, T003 ○" in found.text
    assert "Files: src/models/album.py, src/views/grid.py" in found.text
    assert "Tests: tests/test_album.py" in found.text


def test_hover_on_a_task_shows_its_state_citations_and_files() -> None:
    w = world(SPECKIT)
    found = hover(w.snap, TASKS, at(w.text(TASKS), "T002"), markdown=True)
    assert found is not None and found.range == Range.of(5, 6, 5, 10)
    assert found.text.split("\n\n") == [
        "**Task T002** — open: [US1] Album test for FR-001 in tests/test_album.py",
        f"In `{TASKS}` line 6",
        "**Cites**: `US1`, `FR-001`",
        "**Tests**: `tests/test_album.py`",
    ]


KIRO = """
    //- .kiro/specs/auth/requirements.md
    # Requirements — «é»

    ### Requirement 1

    #### Acceptance Criteria

    1. WHEN a shopper signs in THEN the service SHALL issue a session
    2. The service SHALL hash passwords
    //- .kiro/specs/auth/tasks.md
    # Plan

    - [x] 1. Sessions in src/auth/session.py
      - _Requirements: 1.1_
    - [ ]* 1.1 Property test
      - **Validates: Requirements 1.2**
"""


def test_kiro_requirement_heading_is_traced_through_its_criteria() -> None:
    w = world(KIRO)
    reqs = ".kiro/specs/auth/requirements.md"
    found = hover(w.snap, reqs, at(w.text(reqs), "Requirement 1", 12), markdown=False)
    assert found is not None and found.range == Range.of(2, 16, 2, 17)
    assert "Not traced" not in found.text
    assert "Tasks (1/2 done): 1 ✓, 1.1 ○" in found.text
    assert [lens.title for lens in code_lenses(w.snap, reqs)] == ["2 tasks", "1 task", "1 task"]


def test_a_kiro_task_number_is_the_task_not_a_criterion() -> None:
    w = world(KIRO)
    tasks = ".kiro/specs/auth/tasks.md"
    found = hover(w.snap, tasks, at(w.text(tasks), "1.1 Property"), markdown=False)
    assert found is not None and found.range == Range.of(4, 7, 4, 10)
    assert found.text.split("\n\n") == [
        "Task 1.1 — open (optional): Property test",
        f"In {tasks} line 5",
        "Cites: 1.2",
    ]


CODE = {
    "src/models/album.py": "# Albums — «modèle»\nclass Album: ...\n",
    "tests/test_album.py": "def test_album() -> None: ...\n",
}


def test_from_a_file_a_task_names_definition_leads_to_the_task_and_its_requirements() -> None:
    w = world(SPECKIT, CODE)
    origin, found = targets_at(w.snap, "src/models/album.py", Position(0, 3))
    assert origin is None
    assert [(t.rel, t.range) for t in found] == [
        (TASKS, Range.of(4, 6, 4, 10)),  # T001
        (SPEC, Range.of(2, 4, 2, 16)),  # US1
        (SPEC, Range.of(4, 4, 4, 10)),  # FR-001
    ]
    # below the first line the language's own server answers
    assert targets_at(w.snap, "src/models/album.py", Position(1, 7)) == (None, [])


def test_hover_on_a_file_a_task_names() -> None:
    w = world(SPECKIT, CODE)
    found = hover(w.snap, "tests/test_album.py", Position(0, 0), markdown=False)
    assert found is not None
    assert found.text.split("\n\n") == [
        f"Named by task T002 (open) · {TASKS} line 6",
        "- US1 — User Story 1 - Browse albums (Priority: P1)\n- FR-001 — Users MUST see albums.",
    ]


def test_no_not_traced_lens_where_the_layout_traces_nothing() -> None:
    w = world("""
        //- openspec/specs/auth/spec.md
        # Auth — «spec»

        ### Requirement: User login
        The system SHALL let users sign in.

        #### Scenario: Valid password
        - WHEN a user signs in
        - THEN a session is issued
    """)
    assert code_lenses(w.snap, "openspec/specs/auth/spec.md") == []
