"""Outputs a cloned spec must not write (issue 9): one policy, `paths.forbidden_output`,
reported as SPEC119 on the directive and enforced again by `apply_files`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import analysis, of_code, regen, tree_bytes, write_tree
from specls.config import Config
from specls.findings import Code
from specls.paths import forbidden_output
from specls.regen.transaction import TransactionError, apply_files

DEFAULT = Config()
ALLOWING = Config(allow_dot_paths=[".github", "docs/.vuepress"])


@pytest.mark.parametrize(
    ("rel", "config", "fragment"),
    [
        (".git/config", ALLOWING, "inside .git"),
        (".git/hooks/pre-commit", DEFAULT, "inside .git"),
        ("sub/.git/config", DEFAULT, "inside sub/.git"),
        (".GIT/config", DEFAULT, "inside .GIT"),  # case-insensitive file systems
        (".hg/hgrc", DEFAULT, "inside .hg"),
        (".svn/entries", DEFAULT, "inside .svn"),
        (".specls/backup/x.py", DEFAULT, "inside .specls"),
        ("spec.lock", DEFAULT, "configuration file"),
        ("sub/spec.lock", DEFAULT, "configuration file"),  # would make a new root
        ("specls.toml", DEFAULT, "configuration file"),
        ("pkg/specls.toml", DEFAULT, "configuration file"),
        ("pyproject.toml", DEFAULT, "configuration file"),
        ("specs/other.spec.md", DEFAULT, "spec file"),
        ("specs/x/spec.md", DEFAULT, "spec file"),
        (".vscode/settings.json", DEFAULT, "allow_dot_paths"),
        (".github/workflows/ci.yml", DEFAULT, 'allow_dot_paths = [".github"]'),
        (".idea/workspace.xml", ALLOWING, "allow_dot_paths"),
        (".pre-commit-config.yaml", DEFAULT, "allow_dot_paths"),
        ("src/.envrc", DEFAULT, "allow_dot_paths"),
        ("../x.py", DEFAULT, "outside the workspace"),
    ],
)
def test_forbidden_outputs(tmp_path: Path, rel: str, config: Config, fragment: str) -> None:
    why = forbidden_output(tmp_path, config, rel)
    assert why is not None and fragment in why


@pytest.mark.parametrize(
    ("rel", "config"),
    [
        ("src/app.py", DEFAULT),
        ("sub/pyproject.toml", DEFAULT),  # another package's metadata may be generated
        ("docs/spec-notes.md", DEFAULT),  # Markdown that is not a spec
        (".github/workflows/ci.yml", ALLOWING),
        ("pkg/.github/x.yml", ALLOWING),
        ("docs/.vuepress/config.js", ALLOWING),
        ("src/my.file.py", DEFAULT),
    ],
)
def test_allowed_outputs(tmp_path: Path, rel: str, config: Config) -> None:
    assert forbidden_output(tmp_path, config, rel) is None


def test_a_symlink_into_git_is_judged_by_where_it_leads(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    os.symlink(".git", tmp_path / "innocent")
    why = forbidden_output(tmp_path, DEFAULT, "innocent/config")
    assert why is not None and "leads to .git/config" in why


def test_a_spec_known_to_the_workspace_is_forbidden_even_outside_the_globs(tmp_path: Path) -> None:
    assert forbidden_output(tmp_path, DEFAULT, "notes/a.md") is None
    assert forbidden_output(tmp_path, DEFAULT, "notes/a.md", frozenset({"notes/a.md"}))


SPEC = """
    # Evil

    ## Hook {{#hook}}
    [@generate]({target})

    ```ini file={target}
    [core]
    \tfsmonitor = touch /tmp/pwned
    ```
    """


@pytest.mark.parametrize("target", [".git/config", ".vscode/settings.json", "b.spec.md"])
def test_the_directive_gets_spec119_and_regen_writes_nothing(tmp_path: Path, target: str) -> None:
    write_tree(
        tmp_path,
        {
            "a.spec.md": SPEC.format(target=target),
            "b.spec.md": "# B\n",
            ".git/config": "[core]\n",
            "specls.toml": "",
        },
    )
    before = tree_bytes(tmp_path)
    (f,) = of_code(analysis(tmp_path), Code.FORBIDDEN_OUTPUT)
    assert (f.path, f.range.start.line, f.severity.value) == ("a.spec.md", 3, "error")
    plan = regen(tmp_path, force=True)
    ((ref, message),) = plan.failed
    assert ref == "a.spec.md#hook" and target in message
    assert plan.codes["a.spec.md#hook"] is Code.FORBIDDEN_OUTPUT
    assert tree_bytes(tmp_path) == before


def test_allow_dot_paths_lets_a_spec_write_its_ci_workflow(tmp_path: Path) -> None:
    target = ".github/workflows/ci.yml"
    write_tree(
        tmp_path,
        {
            "a.spec.md": SPEC.format(target=target).replace("#hook", "#ci"),
            "specls.toml": 'allow_dot_paths = [".github"]\n',
        },
    )
    assert not of_code(analysis(tmp_path), Code.FORBIDDEN_OUTPUT)
    assert regen(tmp_path).ok and (tmp_path / target).read_text().startswith("[core]")


def test_apply_files_refuses_forbidden_paths_before_writing_anything(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": "old\n", ".git/config": "[core]\n"})
    before = tree_bytes(tmp_path)
    for rel in (".git/config", "spec.lock", ".vscode/settings.json"):
        with pytest.raises(TransactionError, match=rel.replace(".", r"\.")):
            apply_files(tmp_path, {"a.py": b"new\n", rel: b"x\n"})
    assert tree_bytes(tmp_path) == before
