"""What each command imports, read from `python -X importtime` of the real entry point.

A `specls check` in CI pays for the modules it imports: it must never load
the language server's stack (pygls, lsprotocol) or the MCP SDK, and
`specls --version` must cost little more than Python's own startup.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

_LINE = re.compile(r"^import time:\s+\d+\s+\|\s+\d+\s+\|\s+(?P<name>\S.*)$")


def imported(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime -m specls ARGS`: the process and every module it imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "specls", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    names = {
        m.group("name").strip() for line in proc.stderr.splitlines() if (m := _LINE.match(line))
    }
    assert names, f"no -X importtime output: {proc.stderr[-500:]}"
    return proc, names


def tops(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_check_imports_no_server_and_no_mcp(shop: Path) -> None:
    proc, names = imported(["check", str(shop)], shop)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "specls.report" in names  # the command did run its report
    assert not tops(names) & {"pygls", "lsprotocol", "mcp", "rich", "watchdog"}
    loaded = {n for n in names if n.startswith(("specls.lsp", "specls.agents.mcp"))}
    assert not loaded, sorted(loaded)
    assert not names & {"specls.graphviz", "specls.trace_report", "specls.progress"}


def test_version_imports_nothing_of_the_analysis(tmp_path: Path) -> None:
    proc, names = imported(["--version"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip().startswith("specls ")
    specls_modules = {n for n in names if n.split(".")[0] == "specls"}
    assert specls_modules <= {"specls", "specls.__main__", "specls.cli", "specls.findings",
                              "specls.text"}, sorted(specls_modules)  # fmt: skip
    assert not tops(names) & {"pydantic", "mistune", "yaml", "tree_sitter", "pygls", "lsprotocol"}


@pytest.mark.parametrize("command", ["graph", "status"])
def test_other_commands_import_no_server(shop: Path, command: str) -> None:
    proc, names = imported([command, str(shop)], shop)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert not tops(names) & {"pygls", "lsprotocol", "mcp"}
