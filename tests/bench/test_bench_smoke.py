"""The benchmark's smoke run: `bench/run.py --size small` completes and prints its table.

No timing is asserted (CI machines vary); what is asserted is that the
harness drives a real `specls serve` and `specls check` end to end, measures
every figure, writes its JSON, and says so when the peer cannot be measured.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_small_run_completes_and_prints_the_table(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--size",
            "small",
            "--iterations",
            "2",
            "--starts",
            "1",
            "--cli-iterations",
            "1",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(tmp_path / "results"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "| figure | specls ms: min / median / p95 / p99 |" in out
    for label in (
        "`specls check` cold",
        "`specls check` warm",
        "server start → initialize answered",
        "server start → first diagnostics",
        "keystroke → diagnostics",
        "completion",
        "hover",
        "definition",
        "references",
        "documentSymbol",
        "workspace/symbol",
        "regenerate one unit",
        "server peak RSS",
    ):
        row = next((line for line in out.splitlines() if line.startswith(f"| {label}")), None)
        assert row is not None, f"no row for {label}:\n{out}"
        assert row.split("|")[2].strip() != "—", f"specls has no figure for {label}: {row}"
    [result_file] = (tmp_path / "results").glob("small-*.json")
    results = json.loads(result_file.read_text(encoding="utf-8"))
    specls = results["servers"]["specls"]
    assert specls["keystroke_unchanged_diagnostics"] == 0  # every edit changed the diagnostics
    assert results["cli"]["check_cold"]["n"] == 1
    peer = "vscode-markdown-languageserver"
    assert peer in results["servers"] or any(
        n.startswith("peer not measured") for n in results["notes"]
    )
    if shutil.which("npm") is None:
        assert "note: peer not measured" in out


def test_without_node_the_peer_is_skipped_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_run", run)  # dataclasses look their module up
    spec.loader.exec_module(run)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert run.peer_server() == "node is not installed"
