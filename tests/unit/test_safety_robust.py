"""Always answer, never crash: hostile locks, configs, graphs and files give a finding
with a file and line, never a traceback or a hang (issue 9)."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

import pytest
from helpers import analysis, load, of_code, regen, write_tree
from specls import checks, workspace
from specls.config import ConfigError, load_config
from specls.findings import Code
from specls.lock import LOCK_NAME, Lock, LockError, load_lock, parse_lock
from specls.outputs import OutputReader
from specls.regen.engine import plan_regen
from specls.status import Status, analyze
from specls.units import Graph
from specls.workspace import REAL_FS, Workspace

# --- lock -------------------------------------------------------------------------------


def test_a_huge_integer_in_the_lock_is_a_lock_error_with_its_line() -> None:
    text = '{\n  "version": 1,\n  "units": {},\n  "x": ' + "9" * 5000 + "\n}\n"
    with pytest.raises(LockError) as err:
        parse_lock(Path(LOCK_NAME), text)
    assert err.value.line == 4 and "digits" in err.value.message


def test_deeply_nested_brackets_in_the_lock_are_a_lock_error_with_its_line() -> None:
    text = '{\n  "version": 1,\n  "units": {},\n  "x":\n' + "[" * 100_000 + "\n}\n"
    with pytest.raises(LockError) as err:
        parse_lock(Path(LOCK_NAME), text)
    assert err.value.line == 5 and "nested" in err.value.message


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    lock = parse_lock(Path(LOCK_NAME), '{"version": 1, "units": {}, "note": "' + "[" * 500 + '"}')
    assert lock == Lock()


@pytest.mark.parametrize("content", [b"", b"\n", b"  \n\t\n"])
def test_an_empty_lock_file_is_an_empty_lock(tmp_path: Path, content: bytes) -> None:
    (tmp_path / LOCK_NAME).write_bytes(content)  # `touch spec.lock` marks a root
    assert load_lock(tmp_path / LOCK_NAME) == Lock()
    write_tree(
        tmp_path, {"a.spec.md": "# A {#a}\n[@generate](a.py)\n```py file=a.py\nx = 1\n```\n"}
    )
    a = analysis(tmp_path)
    assert not of_code(a, Code.BAD_LOCK)
    assert a.units["a.spec.md#a"].status is Status.UNGENERATED


# --- config -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line", "needle"),
    [
        ("pyproject.toml", 'name = "x"\ntool = 1\n', 2, "tool"),
        ("pyproject.toml", "[tool]\nspecls = 3\n", 2, "tool.specls"),
        ("specls.toml", "[generators.a]\ncommand = []\n", 2, "command"),
        ("specls.toml", '[generators.a]\ncommand = ["x"]\ntimeout = nan\n', 3, "timeout"),
        ("specls.toml", '[generators.a]\ncommand = ["x"]\ntimeout = inf\n', 3, "timeout"),
        ("specls.toml", '[generators.a]\ncommand = ["x"]\ntimeout = -1\n', 3, "timeout"),
        ("specls.toml", '[generators.a]\ncommand = ["x"]\ntimeout = 0\n', 3, "timeout"),
        ("specls.toml", 'generator = "tangle"\nmax_file_size = -1\n', 2, "max_file_size"),
        ("specls.toml", "max_file_size = 0\n", 1, "max_file_size"),
    ],
)
def test_bad_config_values_are_config_errors_with_their_line(
    tmp_path: Path, name: str, text: str, line: int, needle: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert err.value.line == line and needle in err.value.message
    ws = Workspace.load(tmp_path)  # the root still loads, with the finding
    assert [p.code for p in ws.problems] == [Code.BAD_CONFIG]


# --- graphs -----------------------------------------------------------------------------


def _chain(n: int, *, cycle: bool) -> dict[str, str]:
    body = []
    for i in range(n):
        nxt = (i + 1) % n if cycle else i + 1
        use = f"[@use](#s{nxt})\n" if cycle or i + 1 < n else ""
        body.append(f"## S{i} {{#s{i}}}\n{use}\ntext {i}\n")
    body.append("## Top {#top}\n[@use](#s0)\n[@generate](top.py)\n```py file=top.py\nx = 1\n```\n")
    return {"chain.spec.md": "# Chain\n\n" + "\n".join(body)}


@pytest.mark.parametrize("cycle", [False, True])
def test_a_thousand_long_use_chain_does_not_overflow_the_stack(tmp_path: Path, cycle: bool) -> None:
    write_tree(tmp_path, _chain(1000, cycle=cycle))
    ws, _reader, a = load(tmp_path)
    graph = Graph(ws)
    assert len(graph.closure("chain.spec.md#top")) == 1000
    assert len(graph.dependents({"chain.spec.md#s999"})) == 1  # the one unit, #top
    assert len(graph.cycles) == (1 if cycle else 0)
    assert len(of_code(a, Code.USE_CYCLE)) == (1 if cycle else 0)
    assert a.units["chain.spec.md#top"].status is Status.UNGENERATED


def test_cycles_are_found_once_each_in_a_tangle_of_them(tmp_path: Path) -> None:
    # a ↔ b and b → c → a: two elementary cycles through b, reported once each
    write_tree(
        tmp_path,
        {
            "g.spec.md": """
                # G
                ## A {#a}
                [@use](#b)
                ## B {#b}
                [@use](#a)
                [@use](#c)
                ## C {#c}
                [@use](#a)
                """
        },
    )
    ws = Workspace.load(tmp_path)
    cycles = Graph(ws).cycles
    assert sorted(cycles) == sorted(
        [
            ["g.spec.md#a", "g.spec.md#b", "g.spec.md#a"],
            ["g.spec.md#a", "g.spec.md#b", "g.spec.md#c", "g.spec.md#a"],
        ]
    )


# --- an exception in one check ----------------------------------------------------------


def test_an_exception_in_a_check_becomes_an_internal_error_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write_tree(
        tmp_path,
        {
            "a.spec.md": "# A\n## One {#one}\n[@generate](one.py)\n```py file=one.py\nx = 1\n```\n",
            "b.spec.md": "# B\n## Two {#two}\n[@generate](two.py)\n```py file=two.py\nx = 2\n```\n",
        },
    )
    real = checks.StructureChecks.check_directive

    def exploding(self: checks.StructureChecks, doc, d) -> None:  # type: ignore[no-untyped-def]
        if doc.path == "a.spec.md":
            raise ValueError("boom")
        real(self, doc, d)

    monkeypatch.setattr(checks.StructureChecks, "check_directive", exploding)
    ws = Workspace.load(tmp_path)
    with caplog.at_level(logging.ERROR, logger="specls"):
        a = analyze(ws, OutputReader(ws.root))
    internal = of_code(a, Code.INTERNAL_ERROR)
    assert [(f.path, "ValueError: boom" in f.message) for f in internal] == [("a.spec.md", True)]
    assert set(a.units) == {"a.spec.md#one", "b.spec.md#two"}  # the rest still answers
    assert any("boom" in r.getMessage() or "boom" in str(r.exc_info) for r in caplog.records)


def test_an_exception_in_one_units_freshness_spares_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "a.spec.md": "# A\n## One {#one}\n[@generate](one.py)\n```py file=one.py\nx = 1\n```\n",
            "b.spec.md": "# B\n## Two {#two}\n[@generate](two.py)\n```py file=two.py\nx = 2\n```\n",
        },
    )
    from specls import freshness

    real = freshness.Freshness.unit_status

    def exploding(self, unit, claimed):  # type: ignore[no-untyped-def]
        if unit.ref == "a.spec.md#one":
            raise RecursionError("too deep")
        return real(self, unit, claimed)

    monkeypatch.setattr(freshness.Freshness, "unit_status", exploding)
    a = analysis(tmp_path)
    assert set(a.units) == {"b.spec.md#two"}
    (f,) = of_code(a, Code.INTERNAL_ERROR)
    assert f.path == "a.spec.md" and f.range.start.line == 1 and "too deep" in f.message


def test_a_document_the_parser_chokes_on_leaves_the_root_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"a.spec.md": "# A\n", "b.spec.md": "# B\n"})
    real = workspace.parse_document

    def exploding(rel: str, text: str, *layout):  # type: ignore[no-untyped-def]
        if rel == "a.spec.md":
            raise RecursionError("maximum recursion depth exceeded")
        return real(rel, text, *layout)

    monkeypatch.setattr(workspace, "parse_document", exploding)
    ws = Workspace.load(tmp_path)
    assert list(ws.docs) == ["b.spec.md"]
    assert ws.unreadable["a.spec.md"].code is Code.INTERNAL_ERROR
    ws = ws.with_text("a.spec.md", "# A again\n")  # an editor buffer, same parser
    assert "a.spec.md" in ws.unreadable and "a.spec.md" not in ws.docs


# --- odd files --------------------------------------------------------------------------


def _unblock(fifo: Path) -> None:
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_a_spec_is_reported_not_read(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ok.spec.md": "# Ok\n"})
    fifo = tmp_path / "x.spec.md"
    os.mkfifo(fifo)
    timer = threading.Timer(10, _unblock, (fifo,))  # so a failing test ends, not hangs
    timer.start()
    started = time.monotonic()
    try:
        ws = Workspace.load(tmp_path)  # blocked until a writer came, before the fix
    finally:
        timer.cancel()
    assert time.monotonic() - started < 5
    assert "x.spec.md" not in ws.docs
    assert "not a regular file" in ws.unreadable["x.spec.md"].message


class _DeniedFS:
    """The real file system, except that reading `denied` fails as chmod 0 would
    (the tests also run as root, who can read any file)."""

    def __init__(self, denied: Path) -> None:
        self.denied = denied

    def read_bytes(self, path: Path) -> bytes:
        if path == self.denied:
            raise PermissionError(13, "Permission denied", str(path))
        return REAL_FS.read_bytes(path)

    def stat(self, path: Path) -> tuple[int, int] | None:
        return REAL_FS.stat(path)

    def walk(self, root: Path):  # type: ignore[no-untyped-def]
        return REAL_FS.walk(root)


def test_an_unreadable_output_is_not_missing_and_never_overwritten(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"a.spec.md": "# A\n## One {#one}\n[@generate](one.py)\n```py file=one.py\nx = 1\n```\n"},
    )
    assert regen(tmp_path).ok
    ws = Workspace.load(tmp_path)
    reader = OutputReader(ws.root, _DeniedFS(ws.root / "one.py"))
    a = analyze(ws, reader)
    (o,) = a.units["a.spec.md#one"].outputs
    assert o.status is Status.UNREADABLE
    (f,) = of_code(a, Code.UNREADABLE_OUTPUT)
    assert f.message == "cannot read one.py: Permission denied" and f.range.start.line == 2
    assert not of_code(a, Code.MISSING)
    plan = plan_regen(ws, a, reader, ["a.spec.md#one"], force=True)
    assert plan.failed == [("a.spec.md#one", "cannot read one.py: Permission denied")]


def test_the_bad_file_tag_message_names_the_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.spec.md": "# A\n## One {#one}\n```py file=one.py\nx = 1\n```\n"})
    (f,) = of_code(analysis(tmp_path), Code.BAD_FILE_TAG)
    assert f.message.endswith("(add [@generate](one.py))") and "{file}" not in f.message
