"""A fast start: `initialize` answered before the workspace is read, the load off
the event loop with `$/progress` for big roots, diagnostics once a root is analysed.

The load is made slow with the explicit test hook `SPECLS_TEST_SLOW_LOAD_MS`
(every spec read sleeps that long, `specls/lsp/loading.py`), so these tests
can act while it runs without depending on the machine's speed.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_config import CLIENTS, init_params, install_handlers, uri
from lsp_helpers import frame, split_frame, wait_for
from lsprotocol import converters, types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVE = [sys.executable, "-m", "specls", "serve"]
SPECS = 210  # over PROGRESS_MIN_DOCS (200): a big root
SLOW_MS = 10  # per spec read: the load of SPECS documents takes over 2 s


def make_workspace(root: Path, specs: int) -> Path:
    """`specs` small specs (non-ASCII titles) and one with a broken `@use` link."""
    (root / "specs").mkdir(parents=True)
    (root / "specls.toml").write_text('include = ["specs/**/*.spec.md"]\n')
    for i in range(specs - 1):
        (root / "specs" / f"s{i:03}.spec.md").write_text(
            f"# Spec {i} — naïve café\n\n## Part {{#part}}\n\nText.\n", encoding="utf-8"
        )
    (root / "specs" / "broken.spec.md").write_text(
        "# Broken — é\n\n## Part {#part}\n\nUses [@use](#nope) here.\n", encoding="utf-8"
    )
    return root


# --- initialize before anything is imported ---------------------------------------------------


def exchange(
    messages: list[dict[str, Any]], env: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Send every message to a fresh `specls serve`, read all it wrote until it exits."""
    proc = subprocess.run(
        SERVE,
        input=b"".join(frame(m) for m in messages),
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )
    out: list[dict[str, Any]] = []
    data = proc.stdout
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        out.append(json.loads(rest[:length]))
        data = rest[length:]
    return out, proc.stderr.decode()


def _caps(profile: str) -> dict[str, Any]:
    if profile == "none":
        return {}
    caps = converters.get_converter().unstructure(client_capabilities(profile))
    assert isinstance(caps, dict)
    return caps


@pytest.mark.parametrize("profile", [*CLIENTS, "none"])
def test_the_early_initialize_answer_is_the_servers(tmp_path: Path, profile: str) -> None:
    """`early.py` answers from capabilities.py; pygls computes them from routes.py:
    both must agree for every client (regenerate with `python -m specls.lsp.early`)."""
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"processId": None, "rootUri": uri(tmp_path), "capabilities": _caps(profile)},
    }
    session = [
        init,
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    early, early_err = exchange(session)
    late, _ = exchange(session, {"SPECLS_EARLY_INITIALIZE": "0"})
    answers = [m for m in early if m.get("id") == 1]
    assert len(answers) == 1, early  # pygls' own answer was dropped
    assert answers[0] == next(m for m in late if m.get("id") == 1)
    assert "result" in answers[0] and "capabilities" in answers[0]["result"]
    assert "WARNING" not in early_err
    assert [m for m in early if m.get("id") == 2] == [{"jsonrpc": "2.0", "id": 2, "result": None}]


def test_a_first_message_other_than_initialize_goes_to_pygls(tmp_path: Path) -> None:
    out, _ = exchange(
        [
            {"jsonrpc": "2.0", "id": 1, "method": "workspace/symbol", "params": {"query": ""}},
            {"jsonrpc": "2.0", "method": "exit"},
        ]
    )
    errors = [m for m in out if m.get("id") == 1]
    assert len(errors) == 1 and errors[0]["error"]["code"] == -32002  # ServerNotInitialized


@pytest.mark.parametrize(
    "params",
    [
        {"rootUri": None, "capabilities": {}},  # no processId
        {"processId": "1", "rootUri": None, "capabilities": {}},
        {"processId": None, "capabilities": {}, "workspaceFolders": [{"uri": 1, "name": "é"}]},
    ],
)
def test_unusual_initialize_params_get_the_servers_answer_once(params: dict[str, Any]) -> None:
    """Params early.py does not vouch for go to pygls: one answer, pygls' own."""
    session = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    out, err = exchange(session)
    late, _ = exchange(session, {"SPECLS_EARLY_INITIALIZE": "0"})
    answers = [m for m in out if m.get("id") == 1]
    assert len(answers) == 1, out
    assert answers == [m for m in late if m.get("id") == 1]
    assert "WARNING" not in err


def _modules_after(code: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_early_answer_imports_only_the_standard_library() -> None:
    names = _modules_after("import specls.lsp.early")
    heavy = {"pygls", "lsprotocol", "pydantic", "attrs", "cattrs", "mistune", "yaml"}
    assert not {n.split(".")[0] for n in names} & heavy
    specls_modules = {n for n in names if n.split(".")[0] == "specls"}
    assert specls_modules == {"specls", "specls.lsp", "specls.lsp.early", "specls.lsp.capabilities"}


def test_the_server_imports_no_parser_before_a_workspace_is_loaded() -> None:
    names = _modules_after("from specls.lsp.server import create_server\ncreate_server()")
    assert "specls.lsp.routes" in names  # every route was registered
    # the parsers are imported by the first load, in its thread; file watching when it starts
    assert not {n.split(".")[0] for n in names} & {"mistune", "tree_sitter", "watchdog"}
    assert not {n.split(".")[0] for n in names} & {"mcp", "rich"}
    assert not {n for n in names if n.startswith(("specls.graphviz", "specls.agents"))}


# --- a big root loading: pytest-lsp, both client profiles --------------------------------------

SLOW = ClientServerConfig(
    server_command=SERVE, server_env={**os.environ, "SPECLS_TEST_SLOW_LOAD_MS": str(SLOW_MS)}
)


@pytest.fixture
def big(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "big", SPECS)


@pytest_lsp.fixture(config=SLOW, params=CLIENTS)
async def slow_client(lsp_client: LanguageClient, request: pytest.FixtureRequest, big: Path):
    install_handlers(lsp_client)
    t0 = time.monotonic()
    await lsp_client.initialize_session(init_params(big, request.param))
    lsp_client.initialized_after = time.monotonic() - t0  # type: ignore[attr-defined]
    lsp_client.root = big  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def _broken(root: Path) -> str:
    return uri(root / "specs" / "broken.spec.md")


async def test_initialize_is_answered_before_the_load_finishes(
    slow_client: LanguageClient,
) -> None:
    root: Path = slow_client.root  # type: ignore[attr-defined]
    # the load takes over SPECS * SLOW_MS = 2.1 s; initialize (and initialized) came first
    assert slow_client.status_notes == []  # type: ignore[attr-defined]
    assert _broken(root) not in slow_client.diagnostics
    await wait_for(lambda: _broken(root) in slow_client.diagnostics, timeout=60)
    [diag] = slow_client.diagnostics[_broken(root)]
    assert diag.code == "SPEC102"
    # UTF-16 columns of `#nope` on line 5 (`Uses [@use](#nope) here.`)
    assert (diag.range.start.line, diag.range.start.character) == (4, 12)


async def _loaded(client: LanguageClient) -> None:
    """The root's first diagnostics went out and its loading progress ended."""
    await wait_for(lambda: client.status_notes, timeout=60)  # type: ignore[attr-defined]
    await wait_for(
        lambda: any(
            isinstance(v, types.WorkDoneProgressEnd)
            for vs in client.progress_reports.values()
            for v in vs
        ),
        timeout=20,
    )


async def test_progress_begin_reports_end_with_the_clients_token(
    slow_client: LanguageClient,
) -> None:
    root: Path = slow_client.root  # type: ignore[attr-defined]
    await _loaded(slow_client)
    [(token, values)] = [(t, v) for t, v in slow_client.progress_reports.items() if v]
    # the token is one the client created (pytest-lsp warns and records it otherwise)
    assert isinstance(values[0], types.WorkDoneProgressBegin)
    assert values[0].title == f"specls: loading {root.name}"
    assert values[0].cancellable is False  # a load is not the user's to cancel
    assert isinstance(values[-1], types.WorkDoneProgressEnd)
    reports = values[1:-1]
    assert reports and all(isinstance(r, types.WorkDoneProgressReport) for r in reports)
    percentages = [r.percentage for r in reports]
    assert percentages == sorted(percentages) and percentages[-1] == 90
    counted = [r.message for r in reports if r.message and r.message.endswith(" documents")]
    assert any(m.endswith(f"/{SPECS} documents") for m in counted), counted
    assert reports[-1].message == f"analysing {SPECS} documents"
    assert values[-1].message == f"{SPECS} documents"
    assert str(token).startswith("specls-")
    # progress ended after the root's diagnostics were published
    assert _broken(root) in slow_client.diagnostics


async def test_requests_during_the_load_get_the_loaded_answer(
    slow_client: LanguageClient,
) -> None:
    root: Path = slow_client.root  # type: ignore[attr-defined]
    path = root / "specs" / "s007.spec.md"
    slow_client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(path), language_id="markdown", version=1, text=path.read_text()
            )
        )
    )
    assert slow_client.status_notes == []  # type: ignore[attr-defined]  # still loading
    symbols = await slow_client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri(path)))
    )
    assert symbols is not None
    names = [(s.name, [c.name for c in (s.children or [])]) for s in symbols]  # type: ignore[union-attr]
    assert names == [("Spec 7 — naïve café", ["Part"])]
    # a request over the whole root: answered from the loaded root, not a partial one
    found = await slow_client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Spec 150"))
    assert found and any(
        s.name == "Spec 150 — naïve café" and s.location.uri.endswith("/s150.spec.md")  # type: ignore[union-attr]
        for s in found
    ), found
    # the editor opened a document while the root loaded: the load was kept, not redone
    await _loaded(slow_client)
    begins = [
        v
        for vs in slow_client.progress_reports.values()
        for v in vs
        if isinstance(v, types.WorkDoneProgressBegin)
    ]
    assert len(begins) == 1


@pytest_lsp.fixture(config=SLOW, params=CLIENTS)
async def small_client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    install_handlers(lsp_client)
    root = make_workspace(tmp_path / "small", 20)
    await lsp_client.initialize_session(init_params(root, request.param))
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_a_small_root_shows_no_progress(small_client: LanguageClient) -> None:
    root: Path = small_client.root  # type: ignore[attr-defined]
    await wait_for(lambda: _broken(root) in small_client.diagnostics, timeout=60)
    await wait_for(lambda: small_client.status_notes, timeout=20)  # type: ignore[attr-defined]
    assert small_client.progress_reports == {}
    [diag] = small_client.diagnostics[_broken(root)]
    assert diag.code == "SPEC102"


# --- shutdown and exit during a load: raw JSON-RPC --------------------------------------------


class Raw:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            SERVE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **env},
        )
        self.buffer = b""
        self.seen: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()

    def until(self, test: Any, timeout: float) -> dict[str, Any]:
        """Read messages until one passes `test`; answer the server's requests."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            message, self.buffer = split_frame(self.buffer)
            if message is not None:
                self.seen.append(message)
                if "method" in message and "id" in message:
                    answer = [None] if message["method"] == "workspace/configuration" else None
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": answer})
                if test(message):
                    return message
                continue
            remaining = deadline - time.monotonic()
            fd = self.proc.stdout.fileno()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise AssertionError(f"nothing in {timeout} s; seen {self.seen[-3:]}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError("the server closed its output")
            self.buffer += chunk


def test_shutdown_and_exit_during_a_load_are_prompt(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "big", SPECS)
    raw = Raw({"SPECLS_TEST_SLOW_LOAD_MS": "100"})  # a load of 21 s
    try:
        caps = {"window": {"workDoneProgress": True}}
        raw.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": uri(root), "capabilities": caps},
            }
        )
        raw.until(lambda m: m.get("id") == 1, timeout=30)
        raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        # the load has begun: its progress is reporting documents read
        raw.until(
            lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "report",
            timeout=30,
        )
        t = time.monotonic()
        raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        assert raw.until(lambda m: m.get("id") == 2, timeout=30) == {
            "jsonrpc": "2.0",
            "id": 2,
            "result": None,
        }
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert raw.proc.stdin is not None
        raw.proc.stdin.close()
        assert raw.proc.wait(timeout=30) == 0
        elapsed = time.monotonic() - t
        assert elapsed < 15, f"shutdown + exit took {elapsed:.1f} s: they waited for the load"
        assert not any(
            m.get("method") == "textDocument/publishDiagnostics" for m in raw.seen
        )  # the load never finished
    finally:
        if raw.proc.poll() is None:
            raw.proc.kill()
        raw.proc.wait(timeout=10)


def test_no_progress_without_client_support(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "big", SPECS)
    raw = Raw({})
    try:
        raw.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": uri(root), "capabilities": {}},
            }
        )
        raw.until(lambda m: m.get("id") == 1, timeout=30)
        raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        raw.until(lambda m: m.get("method") == "specls/status", timeout=60)
        methods = {m.get("method") for m in raw.seen}
        assert "textDocument/publishDiagnostics" in methods
        assert not methods & {"window/workDoneProgress/create", "$/progress"}
        raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        raw.until(lambda m: m.get("id") == 2, timeout=30)
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert raw.proc.wait(timeout=30) == 0
    finally:
        if raw.proc.poll() is None:
            raw.proc.kill()
        raw.proc.wait(timeout=10)
