"""`specls guard` as Claude Code's PreToolUse hook (JSON on stdin) and as a git
pre-commit check (`--staged`), as subprocesses on a copy of examples/shop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import edit, run_specls


def hook(event: dict[str, Any] | str, cwd: Path) -> subprocess.CompletedProcess[str]:
    raw = event if isinstance(event, str) else json.dumps(event)
    proc = subprocess.run(
        [sys.executable, "-m", "specls", "guard"],
        input=raw,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def event(tool: str, path: str, cwd: Path, **tool_input: Any) -> dict[str, Any]:
    return {
        "session_id": "abc123",
        "transcript_path": "/tmp/transcript.jsonl",
        "cwd": str(cwd),
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": {"file_path": path, **tool_input},
    }


@pytest.mark.parametrize("tool", ["Edit", "Write", "MultiEdit"])
def test_an_edit_of_a_generated_file_is_denied(shop: Path, tool: str) -> None:
    proc = hook(event(tool, str(shop / "src/shop/users.py"), shop, old_string="a"), shop)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": "src/shop/users.py is generated from"
            " specs/users.spec.md#user-model: change the spec and run"
            " `specls regen user-model`",
        }
    }


def test_a_relative_path_is_taken_from_the_hook_cwd(shop: Path, tmp_path: Path) -> None:
    proc = hook(event("Edit", "src/shop/cart.py", shop / "src"), tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == ""  # src/src/shop/cart.py: no such output
    proc = hook(event("Edit", "shop/cart.py", shop / "src"), tmp_path)
    reason = json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.startswith("src/shop/cart.py is generated from specs/cart.spec.md#cart")


@pytest.mark.parametrize(
    "path",
    ["specs/users.spec.md", "docs/pricing-policy.md", "src/shop/__init__.py", "src/shop/new.py"],
)
def test_specs_and_hand_written_files_pass_silently(shop: Path, path: str) -> None:
    for tool in ("Edit", "Write", "MultiEdit"):
        proc = hook(event(tool, str(shop / path), shop), shop)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_hand_written_file_with_a_generated_symbol_passes_with_a_warning(shop: Path) -> None:
    proc = hook(event("Edit", str(shop / "src/shop/app.py"), shop), shop)
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert "hookSpecificOutput" not in out  # no decision: the edit goes ahead
    assert out["systemMessage"] == (
        "src/shop/app.py is hand-written but holds generated code: create_session (from"
        " specs/auth.spec.md#login). Change those in the spec and run `specls regen login`;"
        " the rest of the file is yours."
    )


def test_other_tools_and_other_directories_pass(shop: Path, tmp_path: Path) -> None:
    for tool in ("Read", "Bash", "Grep"):
        proc = hook(event(tool, str(shop / "src/shop/users.py"), shop), shop)
        assert (proc.returncode, proc.stdout) == (0, "")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    proc = hook(event("Write", str(outside / "x.py"), outside), outside)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_bad_hook_input_is_a_clear_message(shop: Path) -> None:
    proc = hook("{not json", shop)
    assert proc.returncode == 1  # a non-blocking error for Claude Code
    assert proc.stderr.startswith("specls guard: the hook input is not JSON")
    proc = hook("[1, 2]", shop)
    assert proc.returncode == 1 and "not a JSON object" in proc.stderr


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def staged(root: Path) -> subprocess.CompletedProcess[str]:
    return run_specls("guard", "--staged", cwd=root)


def test_staged_blocks_a_hand_edited_output_and_passes_a_regeneration(shop: Path) -> None:
    git(shop, "init", "-q")
    git(shop, "add", "-A")
    git(shop, "commit", "-qm", "base")
    assert staged(shop).returncode == 0
    edit(shop, "src/shop/users.py", "100_000", "1_000")
    git(shop, "add", "src/shop/users.py")
    proc = staged(shop)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "specls guard: src/shop/users.py is generated from specs/users.spec.md#user-model:"
        " change the spec and run `specls regen user-model` (it was edited by hand)"
    )
    # the right way: change the spec, regenerate, stage both and the lock
    git(shop, "reset", "-q")
    git(shop, "checkout", "--", ".")
    edit(shop, "specs/users.spec.md", "100_000)", "200_000)")
    assert run_specls("regen", "user-model", cwd=shop).returncode == 0
    git(shop, "add", "-A")
    assert staged(shop).returncode == 0, staged(shop).stderr


def test_staged_checks_only_the_generated_symbol_of_a_hand_written_file(shop: Path) -> None:
    git(shop, "init", "-q")
    git(shop, "add", "-A")
    git(shop, "commit", "-qm", "base")
    edit(shop, "src/shop/app.py", 'cart.add("tea", 2)', 'cart.add("tea", 3)')
    git(shop, "add", "-A")
    assert staged(shop).returncode == 0  # main() is hand-written
    edit(shop, "src/shop/app.py", "token_hex(16)", "token_hex(8)")
    git(shop, "add", "-A")
    proc = staged(shop)
    assert proc.returncode == 1
    assert "create_session in src/shop/app.py is generated from specs/auth.spec.md#login" in (
        proc.stderr
    )


def test_staged_outside_git_is_a_usage_error(shop: Path) -> None:
    proc = staged(shop)
    if proc.returncode == 0:  # the temporary directory sits inside some repository
        pytest.skip("the test directory is inside a git repository")
    assert proc.returncode == 2 and "not inside a git repository" in proc.stderr
