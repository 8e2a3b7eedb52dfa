"""Preset resolution and the unit schedule, as pure functions."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from helpers import EXAMPLE
from specls.config import Config, GeneratorConfig
from specls.findings import Code
from specls.regen.presets import PRESETS, resolve_generator
from specls.regen.schedule import prerequisites, run_in_order
from specls.regen.tangle import GenerationError
from specls.units import Graph
from specls.workspace import Workspace


def test_a_preset_needs_no_configuration() -> None:
    claude = resolve_generator(Config(), "claude")
    assert claude.command[:2] == ["claude", "-p"]
    assert (claude.output, claude.stdin) == ("files", "text")
    assert {n: PRESETS[n].config.output for n in PRESETS} == {
        "claude": "files",
        "codex": "files",
        "aider": "files",
        "gemini": "markdown",
        "llm": "markdown",
    }


def test_an_override_keeps_what_it_does_not_set() -> None:
    config = Config.model_validate(
        {"generators": {"codex": {"timeout": 5, "env": {"CODEX_HOME": "/x"}}}}
    )
    codex = resolve_generator(config, "codex")
    assert codex.timeout == 5
    assert codex.command == PRESETS["codex"].config.command
    assert codex.env == {"CODEX_HOME": "/x"}
    config = Config.model_validate({"generators": {"llm": {"command": ["llm", "-m", "m"]}}})
    assert resolve_generator(config, "llm").command == ["llm", "-m", "m"]
    assert resolve_generator(config, "llm").output == "markdown"


def test_unknown_generators_and_commandless_ones_are_errors() -> None:
    with pytest.raises(GenerationError) as unknown:
        resolve_generator(Config(), "cursor")
    assert unknown.value.code is Code.GENERATOR_UNKNOWN
    assert "known: aider, claude, codex, gemini, llm, tangle" in str(unknown.value)
    config = Config(generators={"mine": GeneratorConfig()})
    with pytest.raises(GenerationError, match=r"generator 'mine' has no command"):
        resolve_generator(config, "mine")


def test_prerequisites_follow_use_and_shared_files() -> None:
    graph = Graph(Workspace.load(EXAMPLE))
    refs = sorted(graph.units)
    before = prerequisites(graph, refs)
    assert before == {
        "specs/auth.spec.md#login": {"specs/users.spec.md#user-model"},
        "specs/cart.spec.md#cart": set(),
        "specs/catalog.spec.md#product": set(),
        "specs/users.spec.md#user-model": set(),
    }


def test_run_in_order_limits_parallelism_and_breaks_cycles(tmp_path: Path) -> None:
    running: list[int] = []
    peak = [0]
    lock = threading.Lock()

    def work(ref: str) -> str:
        with lock:
            running.append(1)
            peak[0] = max(peak[0], len(running))
        time.sleep(0.05)
        with lock:
            running.pop()
        return ref.upper()

    before = {"a": set(), "b": set(), "c": {"a"}, "d": set()}
    for jobs in (1, 2):
        peak[0] = 0
        out = list(run_in_order(["c", "a", "b", "d"], before, work, jobs))
        assert sorted(out) == [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]
        order = [r for r, _ in out]
        assert order.index("a") < order.index("c")
        assert peak[0] == jobs
    cycle = {"x": {"y"}, "y": {"x"}}
    for jobs in (1, 2):
        assert [r for r, _ in run_in_order(["x", "y"], cycle, work, jobs)] == ["x", "y"]
