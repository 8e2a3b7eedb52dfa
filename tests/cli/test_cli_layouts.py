"""`specls check` on Spec Kit, Kiro, OpenSpec and Tessl-style workspaces, as a user runs it.

The fixtures under tests/fixtures/layouts/ are modelled on public projects
(github/spec-kit and projects made with it, `.kiro/specs/` projects,
Fission-AI/OpenSpec): several features, renumbered requirements, wrapped
trailers, ranges, template guidance, a stacked OpenSpec change and an
archive. Each is copied to a temp dir, so the root is found by its own
markers (`.specify`, `.kiro`, `openspec/`, `pyproject.toml`).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, run_specls, write_tree

FIXTURES = REPO / "tests" / "fixtures" / "layouts"

Row = tuple[str, str, str, str, str]


def copy(tmp_path: Path, layout: str) -> Path:
    root = tmp_path / layout
    shutil.copytree(FIXTURES / layout, root)
    return root


def check_json(cwd: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    proc = run_specls("check", "--format", "json", *args, cwd=cwd)
    return proc.returncode, json.loads(proc.stdout or "[]")


def rows(findings: list[dict[str, Any]]) -> list[Row]:
    def where(f: dict[str, Any]) -> str:
        s, e = f["range"]["start"], f["range"]["end"]
        return f"{s['line']}:{s['character']}-{e['line']}:{e['character']}"

    return [(f["code"], f["severity"], f["path"], where(f), f["message"]) for f in findings]


KIRO_AUTH = ".kiro/specs/user-auth/"
KIRO_BILLING = ".kiro/specs/billing/"


def test_kiro(tmp_path: Path) -> None:
    """Scoped per feature, criteria written any way, en-dash and cross-major ranges,
    wrapped trailers, `All requirements 1-2`, `**Validates: …**`, and a heading in
    design.md that only looks like a requirement."""
    root = copy(tmp_path, "kiro")
    code, found = check_json(root)
    assert code == 1
    assert rows(found) == [
        (
            "SPEC109",
            "warning",
            KIRO_BILLING + "tasks.md",
            "6:24-6:27",
            "no requirement 4.2 is defined in .kiro/specs/billing/",
        ),
        (
            "SPEC108",
            "info",
            KIRO_AUTH + "requirements.md",
            "36:0-36:1",
            "requirement 4.2 is never referenced",
        ),
        (
            "SPEC109",
            "warning",
            KIRO_AUTH + "tasks.md",
            "19:19-19:22",
            "no requirement 3.1 is defined in .kiro/specs/user-auth/",
        ),
    ]


def test_kiro_deleting_a_requirement_warns_on_every_task_citing_it(tmp_path: Path) -> None:
    root = copy(tmp_path, "kiro")
    req = root / KIRO_AUTH / "requirements.md"
    text = req.read_text(encoding="utf-8")
    req.write_text(text[: text.index("### Requirement 4")], encoding="utf-8")
    _, found = check_json(root)
    broken = [(r[2], r[3], r[4]) for r in rows(found) if r[0] == "SPEC109"]
    assert broken == [
        (
            KIRO_BILLING + "tasks.md",
            "6:24-6:27",
            "no requirement 4.2 is defined in " + KIRO_BILLING,
        ),
        (KIRO_AUTH + "tasks.md", "19:19-19:22", "no requirement 3.1 is defined in " + KIRO_AUTH),
        (KIRO_AUTH + "tasks.md", "19:24-19:27", "no requirement 4.1 is defined in " + KIRO_AUTH),
    ]


SPECKIT = "specs/001-photo-albums/"


def test_speckit(tmp_path: Path) -> None:
    """`**FR-001:**` and `### FR-004:` define; references in plan.md, data-model.md,
    contracts/ and checklists/ count; template guidance, inline code and checklist
    lines are not open clarifications; features do not see each other's IDs."""
    root = copy(tmp_path, "speckit")
    code, found = check_json(root)
    assert code == 1
    assert rows(found) == [
        (
            "SPEC107",
            "warning",
            SPECKIT + "spec.md",
            "28:51-28:83",
            "needs clarification: how long?",
        ),
        (
            "SPEC108",
            "info",
            SPECKIT + "spec.md",
            "36:4-36:10",
            "requirement SC-001 is never referenced",
        ),
        (
            "SPEC109",
            "warning",
            SPECKIT + "tasks.md",
            "18:12-18:15",
            "no user story US3 is defined in specs/001-photo-albums/",
        ),
        (
            "SPEC109",
            "warning",
            SPECKIT + "tasks.md",
            "22:25-22:29",
            "no task T008 is defined in specs/001-photo-albums/",
        ),
        (
            "SPEC109",
            "warning",
            "specs/002-sharing/tasks.md",
            "3:56-3:62",
            "no requirement FR-004 is defined in specs/002-sharing/",
        ),
        (
            "SPEC110",
            "error",
            "specs/002-sharing/tasks.md",
            "4:6-4:10",
            "task T002 is defined twice",
        ),
    ]
    assert found[-1]["related"] == [
        {
            "path": "specs/002-sharing/tasks.md",
            "range": {"start": {"line": 3, "character": 6}, "end": {"line": 3, "character": 10}},
            "message": "first definition",
        }
    ]


def test_speckit_text_output_shows_the_first_definition(tmp_path: Path) -> None:
    root = copy(tmp_path, "speckit")
    proc = run_specls("check", "specs/002-sharing", cwd=root)
    assert proc.stdout.splitlines() == [
        "specs/002-sharing/tasks.md:4:57: warning SPEC109 no requirement FR-004 is defined in"
        " specs/002-sharing/",
        "specs/002-sharing/tasks.md:5:7: error SPEC110 task T002 is defined twice",
        "  specs/002-sharing/tasks.md:4:7: first definition",
    ]
    assert proc.stderr.strip() == (
        "2 problem(s) (1 error, 1 warning, 0 notes) in 9 documents, 19 requirements,"
        " 20 traces, 0 unit(s)"
    )


def test_check_from_inside_a_feature_folder_finds_the_project(tmp_path: Path) -> None:
    root = copy(tmp_path, "speckit")
    for cwd, args in ((root / "specs", ()), (root, ("specs/001-photo-albums",))):
        code, found = check_json(cwd, *args)
        assert code == 1
        paths = {f["path"] for f in found}
        assert paths == (
            {
                "../" + SPECKIT + "spec.md",
                "../" + SPECKIT + "tasks.md",
                "../specs/002-sharing/tasks.md",
            }
            if cwd.name == "specs"
            else {SPECKIT + "spec.md", SPECKIT + "tasks.md"}
        )


OPENSPEC_2FA = "openspec/changes/add-2fa/specs/auth/spec.md"
OPENSPEC_REMEMBER = "openspec/changes/add-remember-me/specs/auth/spec.md"


def test_openspec(tmp_path: Path) -> None:
    """Deltas against their base spec, a stacked change, RENAMED, duplicates; the
    archive is history and is not checked."""
    root = copy(tmp_path, "openspec")
    code, found = check_json(root)
    assert code == 1
    assert [r[:4] for r in rows(found)] == [
        ("SPEC130", "error", OPENSPEC_2FA, "16:17-16:32"),
        ("SPEC131", "error", OPENSPEC_REMEMBER, "9:17-9:23"),
        ("SPEC130", "error", OPENSPEC_REMEMBER, "17:26-17:33"),
        ("SPEC131", "error", OPENSPEC_REMEMBER, "18:24-18:29"),
        ("SPEC114", "warning", "openspec/specs/billing/spec.md", "3:0-3:25"),
        ("SPEC115", "warning", "openspec/specs/billing/spec.md", "10:0-10:25"),
        ("SPEC110", "error", "openspec/specs/billing/spec.md", "10:17-10:25"),
    ]
    assert found[0]["message"] == (
        "MODIFIED requirement 'Session timeout' does not exist in openspec/specs/auth/spec.md"
        " nor in another active change"
    )
    assert found[1]["related"][0]["path"] == "openspec/specs/auth/spec.md"


def test_openspec_unstacking_a_change_breaks_the_one_built_on_it(tmp_path: Path) -> None:
    root = copy(tmp_path, "openspec")
    shutil.rmtree(root / "openspec/changes/add-2fa")
    _, found = check_json(root)
    assert ("SPEC130", OPENSPEC_REMEMBER, "1:17-1:42") in [(r[0], r[2], r[3]) for r in rows(found)]


def test_tessl_packages_and_adoptable_outputs(tmp_path: Path) -> None:
    root = copy(tmp_path, "tessl")
    code, found = check_json(root)
    assert code == 1
    assert rows(found) == [
        (
            "SPEC204",
            "info",
            "specs/settings.spec.md",
            "6:0-6:31",
            "src/settings.py has not been generated yet; it exists:"
            " `specls stamp specs/settings.spec.md#loading` adopts it as generated",
        ),
        (
            "SPEC101",
            "error",
            "specs/settings.spec.md",
            "7:58-7:84",
            "file not found: docs/settings-policy.md",
        ),
    ]


def test_stamp_all_writes_a_lock_with_normal_permissions(tmp_path: Path) -> None:
    root = copy(tmp_path, "tessl")
    proc = run_specls("stamp", "--all", cwd=root)
    assert proc.returncode == 0, proc.stderr
    mode = stat.S_IMODE((root / "spec.lock").stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_stamp_all_with_nothing_to_stamp_writes_nothing(tmp_path: Path) -> None:
    root = copy(tmp_path, "kiro")
    proc = run_specls("stamp", "--all", cwd=root)
    assert (proc.returncode, proc.stdout.strip()) == (0, "specls: nothing to stamp")
    assert not (root / "spec.lock").exists()
    help_text = " ".join(run_specls("stamp", "--help", cwd=root).stdout.split())
    assert "--all every unit and @describe section (writes nothing when there is none)" in help_text


def test_no_spec_documents_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "docs/readme.md": "# Hi\n"})
    for command in ("check", "status", "graph"):
        proc = run_specls(command, cwd=tmp_path / "docs")
        assert proc.returncode == 2
        assert "0 spec documents found under " in proc.stderr
        assert "**/*.spec.md" in proc.stderr


def test_the_same_path_argument_everywhere(tmp_path: Path) -> None:
    root = copy(tmp_path, "tessl")
    graph = run_specls("graph", "tessl", cwd=tmp_path)
    assert graph.returncode == 0 and "settings.spec.md" in graph.stdout
    assert run_specls("check", "--root", "tessl", cwd=tmp_path).returncode == 1
    assert run_specls("status", "--root", str(root), cwd=tmp_path).returncode == 1


def test_severity_overrides_min_severity_and_inline_disables(tmp_path: Path) -> None:
    root = copy(tmp_path, "speckit")
    (root / "specls.toml").write_text('[rules]\nSPEC108 = "off"\nSPEC110 = "warning"\n')
    spec = root / SPECKIT / "spec.md"
    text = spec.read_text(encoding="utf-8").replace(
        "- **FR-003**", "<!-- specls-disable SPEC107 -->\n- **FR-003**"
    )
    spec.write_text(text, encoding="utf-8")
    _, found = check_json(root)
    assert [(r[0], r[1]) for r in rows(found)] == [
        ("SPEC109", "warning"),
        ("SPEC109", "warning"),
        ("SPEC109", "warning"),
        ("SPEC110", "warning"),
    ]
    _, errors = check_json(root, "--min-severity", "error")
    assert errors == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('[rules]\nSPEC999 = "off"\n', "2: rules: Value error, unknown finding code 'SPEC999'"),
        ('[rules]\nSPEC108 = "loud"\n', "3: rules.SPEC108: Input should be 'error', "),
    ],
)
def test_a_bad_rule_is_a_config_error_with_its_line(tmp_path: Path, bad: str, message: str) -> None:
    root = copy(tmp_path, "speckit")
    (root / "specls.toml").write_text("exclude = []\n" + bad)
    proc = run_specls("check", cwd=root)
    assert proc.returncode == 2
    assert proc.stderr.startswith("specls: specls.toml:" + message)


def test_tessl_target_outputs_are_generated_from_the_whole_document(tmp_path: Path) -> None:
    root = copy(tmp_path, "tessl")
    spec = root / "specs" / "settings.spec.md"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("## Loading {#loading}", "## Target")
        + "\n## Capabilities\n\nReads `.env`.\n",
        encoding="utf-8",
    )
    assert run_specls("stamp", "--all", cwd=root).returncode == 0
    assert check_json(root)[1][0]["code"] == "SPEC101"  # fresh: only the broken @use is left
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("Reads `.env`.", "Reads `.env` and `.env.local`.")
    )
    stale = [r for r in rows(check_json(root)[1]) if r[0] == "SPEC201"]
    assert [(r[2], r[3]) for r in stale] == [("specs/settings.spec.md", "6:0-6:31")]


def test_status_and_graph_show_requirements_tasks_and_files(tmp_path: Path) -> None:
    root = copy(tmp_path, "kiro")
    proc = run_specls("status", "--format", "json", cwd=root)
    [billing, auth] = json.loads(proc.stdout)["features"]
    assert (auth["feature"], auth["layout"], auth["done"], len(auth["tasks"])) == (
        ".kiro/specs/user-auth",
        "kiro",
        2,
        6,
    )
    by_id = {r["id"]: r for r in auth["requirements"]}
    assert (by_id["1"]["tasks"], by_id["1.4"]["tasks"], by_id["4.2"]["traces"]) == (
        ["1", "1.1", "1.2", "2"],
        ["2"],
        0,
    )
    assert [t["id"] for t in auth["tasks"] if t["optional"]] == ["1.2"]
    assert {r["id"]: r["tasks"] for r in billing["requirements"]}["2.3"] == ["1", "2"]
    table = run_specls("status", cwd=root).stdout.splitlines()
    assert [line.split() for line in table[-2:]] == [
        [".kiro/specs/billing", "kiro", "7", "7", "0/2"],
        [".kiro/specs/user-auth", "kiro", "12", "11", "2/6"],
    ]
    graph = run_specls("graph", "--format", "dot", cwd=copy(tmp_path, "speckit")).stdout
    assert '[label="FR-002 (specs/001-photo-albums)", shape=box]' in graph
    assert '[label="T004 open", shape=box]' in graph
    assert '[label="src/albums/sort.py", shape=note]' in graph


def test_sarif_carries_the_first_definition(tmp_path: Path) -> None:
    from test_cli_check import _sarif_schema_path, validate_sarif

    root = copy(tmp_path, "speckit")
    data = json.loads(run_specls("check", "--format", "sarif", cwd=root).stdout)
    validate_sarif(json.loads(_sarif_schema_path().read_text(encoding="utf-8")), data)
    [dup] = [r for r in data["runs"][0]["results"] if r["ruleId"] == "SPEC110"]
    [related] = dup["relatedLocations"]
    assert related["message"]["text"] == "first definition"
    assert related["physicalLocation"]["region"]["startLine"] == 4
