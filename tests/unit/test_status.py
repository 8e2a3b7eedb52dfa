"""specls.status: every output status and every structure finding, on small
workspaces in temp directories, through the API the CLI and server use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import (
    analysis,
    dedent,
    load,
    of_code,
    regen,
    rows,
    statuses,
    tree_bytes,
    unit_statuses,
    write_tree,
)
from specls.findings import Code, Severity
from specls.lock import LOCK_NAME, load_lock
from specls.service import SpecService

A = "specs/a.spec.md"

BASE = {
    "specls.toml": "",
    A: """
        # A

        ## Model {#model}
        [@generate](../src/model.py)

        The model.

        ```python file=../src/model.py
        X = 1
        ```

        ## Api {#api}
        [@generate](../src/api.py) [@use](#model)

        ```python file=../src/api.py
        Y = 2
        ```

        ## Other {#other}
        [@generate](../src/other.py)

        ```python file=../src/other.py
        Z = 3
        ```
    """,
}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    write_tree(tmp_path, BASE)
    plan = regen(tmp_path)
    assert plan.ok, (plan.failed, plan.refused)
    return tmp_path


# --- freshness --------------------------------------------------------------------------------


def test_before_any_generation_every_output_is_ungenerated(tmp_path: Path) -> None:
    write_tree(tmp_path, BASE)
    a = analysis(tmp_path)
    assert set(statuses(a).values()) == {"ungenerated"}
    found = of_code(a, Code.UNGENERATED)
    assert rows(found) == [
        ("SPEC204", "info", A, "3:0-3:28"),
        ("SPEC204", "info", A, "12:0-12:26"),
        ("SPEC204", "info", A, "19:0-19:28"),
    ]
    assert [f.unit for f in found] == [f"{A}#model", f"{A}#api", f"{A}#other"]
    assert not a.has_failures()  # ungenerated is information, not a failure


def test_after_regen_everything_is_fresh_and_clean(ws: Path) -> None:
    a = analysis(ws)
    assert statuses(a) == {
        "src/model.py": "fresh",
        "src/api.py": "fresh",
        "src/other.py": "fresh",
    }
    assert a.findings == () and a.output_findings == {}
    assert (ws / "src/model.py").read_text() == "X = 1\n"
    lock = load_lock(ws / LOCK_NAME)
    assert lock is not None and sorted(lock.units) == [f"{A}#api", f"{A}#model", f"{A}#other"]


def test_editing_a_section_makes_it_and_its_users_stale(ws: Path) -> None:
    edit(ws, A, "The model.", "The model, changed.")
    a = analysis(ws)
    assert unit_statuses(a) == {f"{A}#model": "stale", f"{A}#api": "stale", f"{A}#other": "fresh"}
    model, api = a.units[f"{A}#model"], a.units[f"{A}#api"]
    assert model.spec_changed and model.inputs_changed
    assert not api.spec_changed and api.inputs_changed
    assert rows(of_code(a, Code.STALE)) == [
        ("SPEC201", "warning", A, "3:0-3:28"),
        ("SPEC201", "warning", A, "12:0-12:26"),
    ]
    [on_spec, _] = of_code(a, Code.STALE)
    assert "the section changed" in on_spec.message
    # On the generated file too, as information with a link back to the section.
    [on_output] = a.output_findings["src/model.py"]
    assert (on_output.code, on_output.severity, on_output.path) == (
        Code.STALE,
        Severity.INFO,
        "src/model.py",
    )
    assert on_output.related[0].path == A and str(on_output.related[0].range) == "2:0-2:17"


def test_whitespace_and_line_ending_changes_do_not_make_a_section_stale(ws: Path) -> None:
    text = (ws / A).read_text()
    (ws / A).write_bytes(text.replace("The model.", "The model.   ").replace("\n", "\r\n").encode())
    assert set(statuses(analysis(ws)).values()) == {"fresh"}


def test_a_change_two_hops_away_reaches_through_use(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "specs/base.spec.md": "# Base {#base}\nfacts\n",
            "specs/mid.spec.md": "# Mid {#mid}\n[@use](base.spec.md#base)\n",
            "specs/top.spec.md": """
                # Top {#top}
                [@generate](../src/top.py) [@use](mid.spec.md#mid)
                ```python file=../src/top.py
                T = 1
                ```
                # Alone {#alone}
                [@generate](../src/alone.py)
                ```python file=../src/alone.py
                A = 1
                ```
            """,
        },
    )
    assert regen(tmp_path).ok
    edit(tmp_path, "specs/base.spec.md", "facts", "new facts")
    a = analysis(tmp_path)
    assert unit_statuses(a) == {
        "specs/top.spec.md#top": "stale",
        "specs/top.spec.md#alone": "fresh",
    }
    top = a.units["specs/top.spec.md#top"]
    assert not top.spec_changed and top.inputs_changed
    [f] = of_code(a, Code.STALE)
    assert "something it uses changed" in f.message


def test_a_changed_use_file_makes_the_unit_stale(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "docs/policy.md": "prices in cents\n",
            A: """
                # Cart {#cart}
                [@generate](../src/cart.py) [@use](../docs/policy.md)
                ```python file=../src/cart.py
                C = 1
                ```
            """,
        },
    )
    assert regen(tmp_path).ok
    assert statuses(analysis(tmp_path)) == {"src/cart.py": "fresh"}
    (tmp_path / "docs/policy.md").write_text("prices in euros\n")
    assert statuses(analysis(tmp_path)) == {"src/cart.py": "stale"}
    # Line endings alone do not count.
    (tmp_path / "docs/policy.md").write_bytes(b"prices in cents\r\n")
    assert statuses(analysis(tmp_path)) == {"src/cart.py": "fresh"}


def test_a_hand_edited_output_is_edited(ws: Path) -> None:
    (ws / "src/model.py").write_text("X = 2  # patched\n")
    a = analysis(ws)
    assert statuses(a)["src/model.py"] == "edited"
    assert rows(of_code(a, Code.EDITED)) == [("SPEC202", "warning", A, "3:0-3:28")]
    [f] = a.output_findings["src/model.py"]
    assert (f.code, f.severity) == (Code.EDITED, Severity.WARNING)
    assert a.units[f"{A}#api"].status.value == "fresh"


def test_crlf_in_an_output_is_not_an_edit(ws: Path) -> None:
    (ws / "src/model.py").write_bytes(b"X = 1\r\n")
    assert statuses(analysis(ws))["src/model.py"] == "fresh"


def test_edited_wins_over_stale(ws: Path) -> None:
    edit(ws, A, "The model.", "Changed.")
    (ws / "src/model.py").write_text("X = 2\n")
    assert statuses(analysis(ws))["src/model.py"] == "edited"


def test_a_deleted_output_is_missing(ws: Path) -> None:
    (ws / "src/model.py").unlink()
    a = analysis(ws)
    assert statuses(a)["src/model.py"] == "missing"
    assert rows(of_code(a, Code.MISSING)) == [("SPEC203", "warning", A, "3:0-3:28")]
    assert "src/model.py" not in a.output_findings


SYMBOL_WS = {
    "src/app.py": """
        import secrets


        def main() -> None:
            print("hand-written")


        def create_session(login: str) -> str:
            return "old"
    """,
    A: """
        # Sessions {#sessions}
        [@generate](../src/app.py#create_session)

        ```python file=../src/app.py#create_session
        def create_session(login: str) -> str:
            return secrets.token_hex(16)
        ```
    """,
}


@pytest.fixture
def symbol_ws(tmp_path: Path) -> Path:
    write_tree(tmp_path, SYMBOL_WS)
    # the hand-written create_session has no lock entry: replacing it needs force (issue 9)
    assert regen(tmp_path, force=True).ok
    text = (tmp_path / "src/app.py").read_text()
    assert 'print("hand-written")' in text and "token_hex" in text and '"old"' not in text
    return tmp_path


def test_a_symbol_output_is_fresh_when_the_rest_of_the_file_changes(symbol_ws: Path) -> None:
    edit(symbol_ws, "src/app.py", '"hand-written"', '"still hand-written"')
    assert statuses(analysis(symbol_ws)) == {"src/app.py#create_session": "fresh"}


def test_an_edited_symbol_is_edited_with_its_range_on_the_output(symbol_ws: Path) -> None:
    edit(symbol_ws, "src/app.py", "token_hex(16)", "token_hex(8)")
    a = analysis(symbol_ws)
    assert statuses(a) == {"src/app.py#create_session": "edited"}
    [f] = a.output_findings["src/app.py"]
    assert f.code is Code.EDITED and f.output == "src/app.py#create_session"
    assert str(f.range) == "7:0-8:31"  # the function's span in src/app.py


def test_a_removed_symbol_is_missing(symbol_ws: Path) -> None:
    text = (symbol_ws / "src/app.py").read_text()
    (symbol_ws / "src/app.py").write_text(text.split("def create_session")[0])
    a = analysis(symbol_ws)
    assert statuses(a) == {"src/app.py#create_session": "missing"}
    [f] = of_code(a, Code.MISSING)
    assert "symbol 'create_session' in src/app.py" in f.message


def test_a_section_gone_from_the_spec_is_an_orphan_in_the_lock(ws: Path) -> None:
    edit(ws, A, "## Other {#other}", "## Other {#renamed}")
    # an output that no longer matches the lock: the entry does not follow the new ID
    (ws / "src/other.py").write_text("changed by hand\n")
    a = analysis(ws)
    assert a.orphans == (f"{A}#other",)
    assert statuses(a)["src/other.py"] == "ungenerated"  # the new ref was never generated
    [f] = of_code(a, Code.ORPHAN)
    assert (f.severity, f.path, f.unit) == (Severity.WARNING, LOCK_NAME, f"{A}#other")
    lock_lines = (ws / LOCK_NAME).read_text().splitlines()
    line = lock_lines[f.range.start.line]
    key = f'"{A}#other"'
    assert line[f.range.start.character : f.range.end.character] == key
    assert a.counts()["orphan"] == 1


def test_a_section_that_drops_its_outputs_is_an_orphan(ws: Path) -> None:
    edit(ws, A, "[@generate](../src/other.py)", "")
    assert analysis(ws).orphans == (f"{A}#other",)


def test_two_sections_claiming_one_file_conflict(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            A: """
                # One {#one}
                [@generate](../src/x.py)
                # Two {#two}
                [@generate](../src/x.py)
            """
        },
    )
    a = analysis(tmp_path)
    assert unit_statuses(a) == {f"{A}#one": "conflict", f"{A}#two": "conflict"}
    found = of_code(a, Code.CONFLICT)
    assert rows(found) == [
        ("SPEC206", "error", A, "1:0-1:24"),
        ("SPEC206", "error", A, "3:0-3:24"),
    ]
    assert f"{A}#two" in found[0].message and f"{A}#one" in found[1].message
    assert a.has_failures()


def test_a_whole_file_and_a_symbol_in_it_conflict_both_ways(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            A: """
                # Whole {#whole}
                [@generate](../src/x.py)
                # Part {#part}
                [@generate](../src/x.py#f)
            """
        },
    )
    a = analysis(tmp_path)
    assert unit_statuses(a) == {f"{A}#whole": "conflict", f"{A}#part": "conflict"}
    assert len(of_code(a, Code.CONFLICT)) == 2


def test_two_symbols_of_one_file_do_not_conflict(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            A: """
                # F {#f}
                [@generate](../src/x.py#f)
                # G {#g}
                [@generate](../src/x.py#g)
            """
        },
    )
    assert set(unit_statuses(analysis(tmp_path)).values()) == {"ungenerated"}


def test_regen_refuses_a_conflicting_unit(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            A: """
                # One {#one}
                [@generate](../src/x.py)
                ```python file=../src/x.py
                A = 1
                ```
                # Two {#two}
                [@generate](../src/x.py)
                ```python file=../src/x.py
                B = 1
                ```
            """
        },
    )
    plan = regen(tmp_path)
    assert not plan.ok and {ref for ref, _ in plan.failed} == {f"{A}#one", f"{A}#two"}
    assert not (tmp_path / "src/x.py").exists()


# --- @describe ------------------------------------------------------------------------------

DESCRIBE_WS = {
    "src/hand.py": """
        def main() -> None:
            print("v1")


        def helper() -> int:
            return 1
    """,
    A: """
        # Unit {#unit}
        [@generate](../src/gen.py) [@describe](../src/hand.py#main)
        ```python file=../src/gen.py
        G = 1
        ```
        ## Notes
        [@describe](../src/hand.py#helper)
    """,
}


def test_described_code_that_changed_is_spec207(tmp_path: Path) -> None:
    write_tree(tmp_path, DESCRIBE_WS)
    assert regen(tmp_path).ok
    lock = load_lock(tmp_path / LOCK_NAME)
    assert lock is not None
    assert sorted(lock.units[f"{A}#unit"].described) == [
        "src/hand.py#helper",
        "src/hand.py#main",
    ]
    assert analysis(tmp_path).findings == ()
    edit(tmp_path, "src/hand.py", 'print("v1")', 'print("v2")')
    a = analysis(tmp_path)
    assert rows(of_code(a, Code.DESCRIBED_CODE_CHANGED)) == [("SPEC207", "info", A, "1:27-1:59")]
    assert statuses(a) == {"src/gen.py": "fresh"}  # described code is not an output


def test_described_code_in_a_subsection_is_checked_too(tmp_path: Path) -> None:
    write_tree(tmp_path, DESCRIBE_WS)
    assert regen(tmp_path).ok
    edit(tmp_path, "src/hand.py", "return 1", "return 2")
    found = of_code(analysis(tmp_path), Code.DESCRIBED_CODE_CHANGED)
    assert rows(found) == [("SPEC207", "info", A, "6:0-6:34")]


def test_stamp_accepts_described_code_again(tmp_path: Path) -> None:
    write_tree(tmp_path, DESCRIBE_WS)
    assert regen(tmp_path).ok
    edit(tmp_path, "src/hand.py", 'print("v1")', 'print("v2")')
    ws, reader, a = load(tmp_path)
    SpecService(ws, reader).stamp(a, [f"{A}#unit"])
    assert analysis(tmp_path).findings == ()


def test_a_describe_only_section_can_be_stamped_and_then_drifts(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "src/hand.py": "def main() -> None:\n    pass\n",
            A: "# Entry {#entry}\n[@describe](../src/hand.py#main)\n",
        },
    )
    ws, reader, a = load(tmp_path)
    SpecService(ws, reader).stamp(a, [f"{A}#entry"])
    a = analysis(tmp_path)
    assert a.findings == () and a.orphans == ()
    edit(tmp_path, "src/hand.py", "pass", "return None")
    assert rows(of_code(analysis(tmp_path), Code.DESCRIBED_CODE_CHANGED)) == [
        ("SPEC207", "info", A, "1:0-1:32")
    ]


# --- structure findings ---------------------------------------------------------------------


def check(tmp_path: Path, spec: str, **files: str) -> list[tuple[str, str, str, str]]:
    write_tree(tmp_path, {A: spec, **{k.replace("__", "/"): v for k, v in files.items()}})
    return rows(analysis(tmp_path).findings)


def test_broken_file_references(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        """
        # A
        [@use](../docs/nope.md) [@describe](../src/nope.py)
        [@describe](../src/hand.py#nope) [@describe](../src/hand.py#ok) [@use]()
        [@use](../docs/ok.md)
        """,
        **{"src__hand.py": "def ok(): pass\n", "docs__ok.md": "fine\n"},
    )
    assert found == [
        ("SPEC101", "error", A, "1:7-1:22"),
        ("SPEC101", "error", A, "1:36-1:50"),
        ("SPEC101", "error", A, "2:12-2:31"),
        ("SPEC101", "error", A, "2:64-2:72"),
    ]


def test_broken_section_references(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specs/b.spec.md": "# B {#b}\n"})
    found = check(
        tmp_path,
        """
        # A
        [@use](#nope) [@use](b.spec.md#nope) [@use](b.spec.md#b) [@use](#c)
        # C {#c}
        [@use](c.spec.md#x)
        """,
    )
    assert found == [
        ("SPEC102", "error", A, "1:7-1:12"),
        ("SPEC102", "error", A, "1:21-1:35"),
        ("SPEC101", "error", A, "3:7-3:18"),  # the whole document is missing
    ]
    messages = [f.message for f in analysis(tmp_path).findings]
    assert "no section '#nope' in this document" in messages
    assert "no section '#nope' in specs/b.spec.md" in messages


def test_a_use_of_a_whole_document_is_fine(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specs/b.spec.md": "# B\n"})
    assert check(tmp_path, "# A\n[@use](b.spec.md)\n") == []


def test_duplicate_ids(tmp_path: Path) -> None:
    assert check(tmp_path, "# A {#x}\n# B {#x}\n") == [("SPEC103", "error", A, "1:4-1:8")]


def test_a_use_cycle_names_the_cycle(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specs/b.spec.md": "# B {#b}\n[@use](a.spec.md#a)\n"})
    found = check(tmp_path, "# A {#a}\n[@use](#c)\n# C {#c}\n[@use](b.spec.md#b)\n")
    assert found == [("SPEC104", "error", A, "1:7-1:9")]
    [f] = analysis(tmp_path).findings
    assert f.message == (
        "@use cycle: specs/a.spec.md#a → specs/a.spec.md#c → specs/b.spec.md#b → specs/a.spec.md#a"
    )


def test_a_section_using_itself_is_a_cycle(tmp_path: Path) -> None:
    assert check(tmp_path, "# A {#a}\n[@use](#a)\n") == [("SPEC104", "error", A, "1:7-1:9")]


def test_a_stale_unit_in_a_cycle_does_not_hang(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            A: """
                # A {#a}
                [@generate](../src/a.py) [@use](#b)
                ```python file=../src/a.py
                A = 1
                ```
                # B {#b}
                [@use](#a)
            """
        },
    )
    assert regen(tmp_path).ok
    edit(tmp_path, A, "# B {#b}", "# B {#b}\nmore")
    assert statuses(analysis(tmp_path)) == {"src/a.py": "stale"}


def test_paths_outside_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.py").write_text("X = 1\n")
    (root / "src").mkdir(parents=True)
    os.symlink(outside, root / "src" / "link")
    found = check(
        root,
        """
        # A
        [@generate](../../x.py) [@use](/etc/passwd)
        [@generate](../src/link/x.py) [@describe](../src/link/x.py)
        """,
    )
    assert [f for f in found if f[0] != "SPEC204"] == [
        ("SPEC105", "error", A, "1:12-1:22"),
        ("SPEC105", "error", A, "1:31-1:42"),
        ("SPEC105", "error", A, "2:12-2:28"),
        ("SPEC105", "error", A, "2:42-2:58"),
    ]


def test_regen_never_writes_through_a_symlink_out_of_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "src").mkdir(parents=True)
    os.symlink(outside, root / "src" / "link")
    write_tree(
        root,
        {
            A: """
                # A {#a}
                [@generate](../src/link/x.py)
                ```python file=../src/link/x.py
                X = 1
                ```
            """
        },
    )
    plan = regen(root)
    assert not plan.ok
    assert list(outside.iterdir()) == []


def test_unknown_directive(tmp_path: Path) -> None:
    found = check(tmp_path, "# A\n[@generates](x.py)\n")
    assert found == [("SPEC106", "error", A, "1:1-1:11")]
    [f] = analysis(tmp_path).findings
    assert "'@generates'" in f.message


def test_clarification(tmp_path: Path) -> None:
    found = check(tmp_path, "# A\nPay by [NEEDS CLARIFICATION: card only?]\n")
    assert found == [("SPEC107", "warning", A, "1:7-1:40")]
    assert analysis(tmp_path).findings[0].message == "needs clarification: card only?"


def test_requirements_untraced_broken_and_duplicate(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        """
        # Reqs
        - **FR-001**: MUST a
        - **FR-002**: MUST b
        - **FR-002**: MUST again
        # Impl
        Does a (covers: FR-001) and (covers: FR-009).
        """,
    )
    assert found == [
        ("SPEC108", "info", A, "2:4-2:10"),
        ("SPEC110", "error", A, "3:4-3:10"),
        ("SPEC109", "warning", A, "5:37-5:43"),
    ]


def test_kiro_ranges_trace_each_criterion(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".kiro/specs/f/requirements.md": """
                # Requirements
                ### Requirement 1
                1. WHEN a THE SYSTEM SHALL b
                2. WHEN c THE SYSTEM SHALL d
                3. WHEN e THE SYSTEM SHALL f
                ### Requirement 2
                1. WHEN g THE SYSTEM SHALL h
            """,
            ".kiro/specs/f/tasks.md": """
                # Tasks
                - [ ] 1. Build
                  - _Requirements: 1.1-1.2_
            """,
        },
    )
    a = analysis(tmp_path)
    untraced = [(f.message, str(f.range)) for f in of_code(a, Code.UNTRACED_REQUIREMENT)]
    assert untraced == [
        ("requirement 1.3 is never referenced", "4:0-4:1"),
        ("requirement 2.1 is never referenced", "6:0-6:1"),
    ]


def test_bad_file_tag(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        """
        # A {#a}
        [@generate](../src/x.py)
        ```python file=../src/x.py
        X = 1
        ```
        ```python file=../src/y.py
        Y = 1
        ```
        # Not a unit
        ```python file=../src/z.py
        Z = 1
        ```
        """,
    )
    assert found == [
        ("SPEC204", "info", A, "1:0-1:24"),
        ("SPEC113", "error", A, "5:15-5:26"),
        ("SPEC113", "error", A, "9:15-9:26"),
    ]


def test_a_file_tag_in_a_non_unit_subsection_belongs_to_the_unit(tmp_path: Path) -> None:
    found = check(
        tmp_path,
        """
        # A {#a}
        [@generate](../src/x.py)
        ## Code
        ```python file=../src/x.py
        X = 1
        ```
        """,
    )
    assert found == [("SPEC204", "info", A, "1:0-1:24")]
    assert regen(tmp_path).ok and (tmp_path / "src/x.py").read_text() == "X = 1\n"


def test_unsupported_symbol_language(tmp_path: Path) -> None:
    found = check(tmp_path, "# A\n[@generate](../src/notes.txt#Intro)\n")
    assert ("SPEC112", "error", A, "1:12-1:34") in found


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ("The system SHALL log in.\n#### Scenario: ok\n- WHEN x\n", []),
        ("The system logs in.\n#### Scenario: ok\n- WHEN x\n", ["SPEC114"]),
        ("The system MUST log in.\n", ["SPEC115"]),
        ("Nothing.\n", ["SPEC114", "SPEC115"]),
    ],
)
def test_openspec_rules(tmp_path: Path, body: str, codes: list[str]) -> None:
    path = "openspec/specs/auth/spec.md"
    write_tree(tmp_path, {path: "# Auth\n## Requirements\n### Requirement: Login\n" + body})
    found = rows(analysis(tmp_path).findings)
    assert found == [(c, "warning", path, "2:0-2:22") for c in codes]


def test_openspec_removed_requirements_need_no_scenario(tmp_path: Path) -> None:
    """As in OpenSpec's own archive: a removal gives a reason and a migration."""
    path = "openspec/changes/drop-x/specs/auth/spec.md"
    write_tree(
        tmp_path,
        {
            "openspec/specs/auth/spec.md": "## Requirements\n### Requirement: Old login\n"
            "It SHALL log in.\n#### Scenario: ok\n- WHEN x\n",
            path: "## REMOVED Requirements\n\n### Requirement: Old login\n\n"
            "**Reason**: replaced.\n\n## ADDED Requirements\n\n### Requirement: New login\n"
            "Nothing.\n",
        },
    )
    found = rows(analysis(tmp_path).findings)
    assert found == [(c, "warning", path, "8:0-8:26") for c in ("SPEC114", "SPEC115")]


def test_openspec_rules_apply_only_under_openspec(tmp_path: Path) -> None:
    assert check(tmp_path, "### Requirement: Login\nNothing.\n") == []


def test_unreadable_specs_are_findings(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "specs/bad.spec.md": b"# A\nok\n\xff\xfe broken\n",
            "specs/bin.spec.md": b"\x00\x01\x02",
            "specs/bom.spec.md": "\ufeff# Bom {#bom}\n".encode(),
        },
    )
    ws, _, a = load(tmp_path)
    assert rows(a.findings) == [
        ("SPEC116", "error", "specs/bad.spec.md", "2:0-2:0"),
        ("SPEC116", "error", "specs/bin.spec.md", "0:0-0:0"),
    ]
    assert ws.docs["specs/bom.spec.md"].sections[1].id == "bom"


def test_findings_are_sorted_by_path_and_position(tmp_path: Path) -> None:
    write_tree(tmp_path, {"specs/b.spec.md": "# B\n[@nope](x)\n"})
    found = check(tmp_path, "# A\n[NEEDS CLARIFICATION]\n[@nope](x)\n")
    assert [(p, r) for _, _, p, r in found] == sorted((p, r) for _, _, p, r in found)
    assert [p for _, _, p, _ in found] == [A, A, "specs/b.spec.md"]


def test_analysis_reads_only_through_the_cache(ws: Path) -> None:
    ws_, reader, a = load(ws)
    before = tree_bytes(ws)
    for _ in range(3):
        from specls.status import analyze

        assert analyze(ws_, reader).findings == a.findings
    assert tree_bytes(ws) == before  # analysis never writes


def test_dedent_helper_keeps_text() -> None:
    assert dedent("\n    a\n      b\n") == "a\n  b\n"
