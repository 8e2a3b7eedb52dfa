"""`specls trace` on fixture workspaces in each layout (specls, Spec Kit, Kiro,
OpenSpec): the numbers of the matrix, the verdict of each requirement, the
traces found in code comments (Python, TypeScript, Go), the formats and the
`--fail-under` gate."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from helpers import edit, run_specls, write_tree


def matrix(root: Path, *args: str) -> dict[str, Any]:
    proc = run_specls("trace", "--format", "json", *args, cwd=root)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def verdicts(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(id, spec path, verdict) in the matrix's order: untraced and untested first."""
    return [(r["id"], r["path"], r["verdict"]) for r in data["requirements"]]


def files_of(
    data: dict[str, Any], rid: str, path: str | None = None
) -> list[tuple[str, str, bool]]:
    (row,) = [r for r in data["requirements"] if r["id"] == rid and path in (None, r["path"])]
    return [(f["path"], f["via"], f["test"]) for f in row["files"]]


# --- the example: specls's own dialect ---------------------------------------------------


def test_the_example_shop(shop: Path) -> None:
    data = matrix(shop)
    assert data["totals"] == {
        "requirements": 5,
        "traced": 5,
        "implemented": 5,
        "tested": 1,
        "stale": 0,
    }
    assert data["percent"] == {"traced": 100.0, "implemented": 100.0, "tested": 20.0}
    req = "specs/requirements.spec.md"
    assert verdicts(data) == [
        ("FR-002", req, "untested"),
        ("FR-003", req, "untested"),
        ("FR-004", req, "untested"),
        ("SC-001", req, "untested"),
        ("FR-001", req, "ok"),
    ]
    # FR-001 is covered by the catalog's top section: the unit below it generates a test
    assert files_of(data, "FR-001") == [
        ("src/shop/catalog.py", "generate", False),
        ("tests/test_catalog.py", "test", True),
    ]
    assert files_of(data, "FR-002") == [
        ("src/shop/auth.py", "generate", False),
        ("src/shop/app.py#create_session", "generate", False),
    ]
    # an edit makes the requirements its outputs implement stale
    edit(shop, "specs/users.spec.md", "A user has a login", "A user has a unique login")
    after = matrix(shop)
    assert after["totals"]["stale"] == 2  # FR-004 (users) and FR-002 (auth @uses users)
    assert {r["id"] for r in after["requirements"] if r["stale"]} == {"FR-002", "FR-004"}


# --- Spec Kit ----------------------------------------------------------------------------

SPECKIT = {
    "specs/001-cart/spec.md": """
        # Feature: Cart 🛒

        ## Requirements

        - **FR-001**: The system MUST keep a cart per user.
        - **FR-002**: The system MUST compute totals.
        - **FR-003**: The system MUST round to the cent.
        - **FR-004**: The system MUST show prices in €.

        ## Success criteria

        - **SC-001**: A total is exact to the cent.
    """,
    "specs/001-cart/tasks.md": """
        # Tasks

        - [ ] T001 Cart model for FR-001 in src/cart.py
        - [x] T002 [P] Tests for FR-001 in tests/test_cart.py
        - [ ] T003 Totals (FR-002) in src/total.py
    """,
    "specs/002-wishlist/spec.md": """
        # Feature: Wishlist

        - **FR-001**: The system MUST keep a wishlist per user.
    """,
    "src/cart.py": """
        # The cart (see tasks.md). The string below is no trace:
        NOTE = "FR-002 is elsewhere"


        class Cart:
            pass
    """,
    "tests/test_cart.py": """
        from cart import Cart


        def test_rounding() -> None:
            # FR-003: prices round to the cent — ünïcödé 😀
            assert Cart
    """,
    "src/pricing.ts": """
        export const label = (cents: number): string => {
          // implements: FR-004
          return `${cents / 100} €`;
        };
        // covers: FR-099 (no such requirement)
    """,
    "internal/tax/tax_test.go": """
        package tax

        import "testing"

        // TestExact covers: SC-001
        func TestExact(t *testing.T) {}
    """,
}


def test_spec_kit_tasks_paths_and_comments_in_python_typescript_go(tmp_path: Path) -> None:
    root = write_tree(tmp_path, SPECKIT)
    data = matrix(root)
    cart, wish = "specs/001-cart/spec.md", "specs/002-wishlist/spec.md"
    assert data["totals"] == {
        "requirements": 6,
        "traced": 5,
        "implemented": 2,
        "tested": 3,
        "stale": 0,
    }
    assert data["percent"] == {"traced": 83.3, "implemented": 33.3, "tested": 50.0}
    assert verdicts(data) == [
        ("FR-001", wish, "untraced"),  # the other feature's FR-001: traces never cross
        ("FR-002", cart, "unimplemented"),  # its task names a file that does not exist
        ("FR-003", cart, "unimplemented"),  # only a test comment traces it
        ("SC-001", cart, "unimplemented"),
        ("FR-004", cart, "untested"),
        ("FR-001", cart, "ok"),
    ]
    assert files_of(data, "FR-001", cart) == [
        ("src/cart.py", "task", False),
        ("tests/test_cart.py", "task", True),
    ]
    (row,) = [r for r in data["requirements"] if r["id"] == "FR-001" and r["path"] == cart]
    assert [(s["task"], s["done"], s["line"]) for s in row["sections"]] == [
        ("T001", False, 3),
        ("T002", True, 4),
    ]
    assert files_of(data, "FR-002") == [("src/total.py", "task", False)]
    (fr2,) = [r for r in data["requirements"] if r["id"] == "FR-002"]
    assert fr2["files"][0]["exists"] is False
    (fr3,) = [r for r in data["requirements"] if r["id"] == "FR-003"]
    assert fr3["files"] == [
        {
            "path": "tests/test_cart.py",
            "via": "comment",
            "test": True,
            "exists": True,
            "status": None,
            "unit": None,
            "line": 5,
        }
    ]
    assert files_of(data, "FR-004") == [("src/pricing.ts", "comment", False)]
    assert files_of(data, "SC-001") == [("internal/tax/tax_test.go", "comment", True)]
    assert data["unresolved"] == [{"path": "src/pricing.ts", "line": 5, "token": "FR-099"}]


def test_trace_paths_limit_the_rows_to_those_specs(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**SPECKIT, "specls.toml": "# the workspace root\n"})
    data = matrix(root, "specs/002-wishlist/spec.md")
    assert verdicts(data) == [("FR-001", "specs/002-wishlist/spec.md", "untraced")]


def test_fail_under_gates_on_the_chosen_coverage(tmp_path: Path) -> None:
    root = write_tree(tmp_path, SPECKIT)
    ok = run_specls("trace", "--format", "markdown", "--fail-under", "80", cwd=root)
    assert ok.returncode == 0, ok.stderr  # 83.3% traced
    low = run_specls("trace", "--fail-under", "90", cwd=root)
    assert low.returncode == 1
    assert "specls: traced coverage 83.3% is under 90%" in low.stderr
    tested = run_specls("trace", "--coverage", "tested", "--fail-under", "50", cwd=root)
    assert tested.returncode == 0
    implemented = run_specls(
        "trace", "--format", "json", "--coverage", "implemented", "--fail-under", "50", cwd=root
    )
    assert implemented.returncode == 1
    assert json.loads(implemented.stdout)["totals"]["implemented"] == 2  # output still printed


# --- Kiro --------------------------------------------------------------------------------

KIRO = {
    ".kiro/specs/login/requirements.md": """
        # Requirements Document

        ### Requirement 1

        **User Story:** As a user, I want to log in.

        #### Acceptance Criteria

        1. WHEN a user submits valid credentials THE SYSTEM SHALL start a session
        2. WHEN a user submits a wrong password THE SYSTEM SHALL refuse it
        3. WHEN a user logs in THE SYSTEM SHALL record the time

        ### Requirement 2

        1. WHEN a session is idle for an hour THE SYSTEM SHALL end it
    """,
    ".kiro/specs/login/design.md": """
        # Design

        ## Login handler {#handler}
        [@generate](../../../src/login.py) [@test](../../../tests/test_login.py)

        Checks the password. _Requirements: 1.1_

        ```python file=../../../src/login.py
        def login(user: str, password: str) -> bool:
            return password == "secret"
        ```

        ```python file=../../../tests/test_login.py
        from login import login


        def test_login() -> None:
            assert login("ada", "secret")
        ```
    """,
    ".kiro/specs/login/tasks.md": """
        # Implementation Plan

        - [ ] 1. Build the login form
          - Validate the fields
          - _Requirements: 1.1, 1.2_
        - [x] 2. Refuse wrong passwords
          - _Requirements: 1.2_
    """,
    "cmd/login/main.go": """
        package main

        // implements: 1.3 (login time)
        func main() {}
    """,
    "web/session.test.ts": """
        // Requirements: 2.1
        test("idle sessions end", () => {});
    """,
}


def test_kiro_criteria_traced_by_tasks_design_units_and_comments(tmp_path: Path) -> None:
    root = write_tree(tmp_path, KIRO)
    assert run_specls("regen", "--all", cwd=root).returncode == 0
    reqs = ".kiro/specs/login/requirements.md"
    data = matrix(root)
    assert data["totals"] == {
        "requirements": 4,
        "traced": 4,
        "implemented": 2,
        "tested": 2,
        "stale": 0,
    }
    assert verdicts(data) == [
        ("1.2", reqs, "unimplemented"),
        ("2.1", reqs, "unimplemented"),
        ("1.3", reqs, "untested"),
        ("1.1", reqs, "ok"),
    ]
    (r11,) = [r for r in data["requirements"] if r["id"] == "1.1"]
    assert [(s["ref"], s["task"]) for s in r11["sections"]] == [
        (".kiro/specs/login/design.md#handler", None),
        (".kiro/specs/login/tasks.md#implementation-plan", "1"),
    ]
    assert files_of(data, "1.1") == [
        ("src/login.py", "generate", False),
        ("tests/test_login.py", "test", True),
    ]
    (r12,) = [r for r in data["requirements"] if r["id"] == "1.2"]
    assert [(s["task"], s["done"]) for s in r12["sections"]] == [("1", False), ("2", True)]
    assert files_of(data, "1.3") == [("cmd/login/main.go", "comment", False)]
    assert files_of(data, "2.1") == [("web/session.test.ts", "comment", True)]

    edit(root, ".kiro/specs/login/design.md", "Checks the password.", "Checks the hash.")
    stale = matrix(root)
    assert stale["totals"]["stale"] == 1
    assert verdicts(stale)[-1] == ("1.1", reqs, "stale")


# --- OpenSpec ----------------------------------------------------------------------------

OPENSPEC = {
    "openspec/specs/auth/spec.md": """
        # Auth Specification

        ## Requirements

        ### Requirement: User login
        The system SHALL authenticate users by password.

        #### Scenario: Valid credentials
        - **WHEN** a user submits a valid password
        - **THEN** a session starts

        ### Requirement: Session expiry
        The system SHALL end idle sessions.

        #### Scenario: Idle
        - **WHEN** a session is idle for an hour
        - **THEN** it ends

        ### Requirement: Audit log
        The system MUST log every login.

        #### Scenario: Login logged
        - **WHEN** a user logs in
        - **THEN** the login is logged
    """,
    "src/auth.py": """
        # implements: openspec/specs/auth/spec.md#requirement-user-login
        def login() -> None: ...
    """,
    "tests/test_auth.py": """
        def test_valid_credentials() -> None:
            # covers: openspec/specs/auth/spec.md#scenario-valid-credentials
            ...
        # covers: openspec/specs/auth/spec.md#no-such-section
    """,
    "src/session.ts": """
        /* Session expiry:
           see openspec/specs/auth/spec.md#requirement-session-expiry */
        export const ttl = 3600;
    """,
}


def test_openspec_requirements_traced_by_section_and_scenario_references(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path, OPENSPEC)
    spec = "openspec/specs/auth/spec.md"
    data = matrix(root)
    assert data["totals"] == {
        "requirements": 3,
        "traced": 2,
        "implemented": 2,
        "tested": 1,
        "stale": 0,
    }
    assert data["percent"] == {"traced": 66.7, "implemented": 66.7, "tested": 33.3}
    assert verdicts(data) == [
        ("Audit log", spec, "untraced"),
        ("Session expiry", spec, "untested"),
        ("User login", spec, "ok"),
    ]
    # a scenario's reference traces the requirement it belongs to
    assert files_of(data, "User login") == [
        ("src/auth.py", "comment", False),
        ("tests/test_auth.py", "comment", True),
    ]
    (expiry,) = [r for r in data["requirements"] if r["id"] == "Session expiry"]
    assert expiry["files"][0]["line"] == 2  # the second line of a block comment
    assert data["unresolved"] == [
        {
            "path": "tests/test_auth.py",
            "line": 4,
            "token": "openspec/specs/auth/spec.md#no-such-section",
        }
    ]


def test_comment_patterns_are_configurable(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **OPENSPEC,
            "specls.toml": """
                [trace]
                patterns = ['@req\\(([^)]*)\\)', 'spec:(?P<refs>\\S+)']
            """,
            "src/auth.py": """
                # implements: openspec/specs/auth/spec.md#requirement-user-login
                # spec:openspec/specs/auth/spec.md#requirement-audit-log
                def login() -> None: ...
            """,
        },
    )
    data = matrix(root)
    # the default patterns are replaced: `implements:` no longer counts, `spec:` does
    assert [(r["id"], r["traced"]) for r in data["requirements"]] == [
        ("User login", False),
        ("Session expiry", False),
        ("Audit log", True),
    ]
    bad = write_tree(tmp_path / "bad", {"specls.toml": "[trace]\npatterns = ['(unclosed']\n"})
    proc = run_specls("trace", cwd=bad)
    assert proc.returncode == 2
    assert re.search(r"specls.toml:2: trace\.patterns.*invalid regular expression", proc.stderr)


# --- formats -----------------------------------------------------------------------------


def test_markdown_and_html_carry_the_same_matrix(tmp_path: Path) -> None:
    root = write_tree(tmp_path, SPECKIT)
    md = run_specls("trace", "--format", "markdown", cwd=root).stdout
    lines = md.splitlines()
    assert lines[0] == "## Traceability"
    assert lines[2] == (
        "6 requirements · 5 traced (83.3%) · 2 implemented (33.3%) · 3 tested (50%) · 0 stale"
    )
    table = [line for line in lines if line.startswith("| ")]
    assert len(table) == 1 + 6  # header and one row per requirement
    assert table[1].startswith("| ❌ untraced | **FR-001** The system MUST keep a wishlist")
    assert "src/total.py (task, missing)" in md
    assert "- `src/pricing.ts:5` `FR-099`" in md

    page = run_specls("trace", "--format", "html", cwd=root).stdout
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"(?:src|href)=\"?https?:", page)  # self-contained: nothing fetched
    assert "<script" not in page
    assert page.count("<tr>") == 1 + 6
    assert page.count('class="badge untraced"') == 1
    assert html.escape("The system MUST show prices in €.") in page

    table_out = run_specls("trace", "--no-color", cwd=root).stdout
    assert table_out.splitlines()[-1] == lines[2]


def test_paths_are_relative_to_where_trace_runs(tmp_path: Path) -> None:
    write_tree(tmp_path / "ws", SPECKIT)
    md = run_specls("trace", "ws", "--format", "markdown", cwd=tmp_path).stdout
    assert "`ws/specs/001-cart/spec.md:5`" in md
    assert "ws/src/total.py (task, missing)" in md
    assert "- `ws/src/pricing.ts:5` `FR-099`" in md
    data = json.loads(run_specls("trace", "ws", "--format", "json", cwd=tmp_path).stdout)
    assert files_of(data, "FR-004") == [("ws/src/pricing.ts", "comment", False)]
