"""Bad input and process lifecycle: the server reports, never hangs or dies."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsp_config import SERVER, init_params, install_handlers
from lsp_helpers import codes, frame, initialize_message, open_doc, uri, wait_diagnostics
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.helpers import tree_bytes


async def test_invalid_utf8_spec_is_a_diagnostic(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    bad = root / "specs" / "broken.spec.md"
    bad.write_bytes(b"# Title\n\nok line\n\xff\xfe bad bytes\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(bad), type=types.FileChangeType.Created)]
        )
    )
    diags = await wait_diagnostics(client, uri(bad), lambda ds: "SPEC116" in codes(ds))
    assert diags[0].range.start.line == 3
    assert "invalid UTF-8" in diags[0].message
    # The server still answers.
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.status", arguments=[{}])
    )
    assert status["roots"][0]["counts"]["fresh"] == 6


async def test_huge_output_file_does_not_hang(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    out = root / "src" / "shop" / "app.py"
    original = out.read_text(encoding="utf-8")
    filler = "# " + "x" * 98 + "\n"
    out.write_text(original + filler * 200_000, encoding="utf-8")  # ~20 MB
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(out), type=types.FileChangeType.Changed)]
        )
    )
    spec_uri = uri(root / "specs" / "auth.spec.md")
    started = time.monotonic()
    # The symbol output can no longer be located (too large to parse): reported, not hung.
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC203" in codes(ds), timeout=20)
    assert time.monotonic() - started < 20


async def test_pathological_output_does_not_freeze_the_server(client: LanguageClient) -> None:
    """500 KB of comments makes tree-sitter-python quadratic; the parse budget bounds it."""
    root: Path = client.root  # type: ignore[attr-defined]
    out = root / "src" / "shop" / "app.py"
    out.write_text(
        out.read_text(encoding="utf-8") + ("# " + "x" * 98 + "\n") * 5_000, encoding="utf-8"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(out), type=types.FileChangeType.Changed)]
        )
    )
    spec_uri = uri(root / "specs" / "auth.spec.md")
    diags = await wait_diagnostics(client, spec_uri, lambda ds: "SPEC203" in codes(ds), timeout=30)
    missing = next(d for d in diags if d.code == "SPEC203")
    assert "create_session" in missing.message
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.status", arguments=[{}])
    )
    assert status["roots"][0]["counts"]["missing"] == 1


async def test_server_exits_when_the_pipe_closes(shop: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "specls", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    proc.stdin.write(frame(initialize_message(shop)))
    proc.stdin.flush()
    time.sleep(0.5)
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the server kept running after its client went away")


NO_WATCH = pytest_lsp.ClientServerConfig(server_command=SERVER.server_command)


@pytest_lsp.fixture(config=NO_WATCH)
async def plain_client(lsp_client: LanguageClient, shop: Path):
    install_handlers(lsp_client)
    params = init_params(shop, "neovim")
    assert params.capabilities.workspace is not None
    params.capabilities.workspace.did_change_watched_files = None  # the server must watch
    await lsp_client.initialize_session(params)
    lsp_client.root = shop  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_server_watches_files_itself_when_the_client_cannot(
    plain_client: LanguageClient,
) -> None:
    root: Path = plain_client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "users.spec.md"
    status = await plain_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.status", arguments=[{}])
    )
    assert status["roots"][0]["counts"] == {"fresh": 6}
    await asyncio.sleep(0.3)  # let the observer start
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("per-user salt", "per-user random salt"),
        encoding="utf-8",
    )
    await wait_diagnostics(plain_client, uri(spec), lambda ds: "SPEC201" in codes(ds), timeout=3)


def _send(proc: subprocess.Popen[bytes], message: dict[str, object]) -> None:
    assert proc.stdin is not None
    proc.stdin.write(frame(message))
    proc.stdin.flush()


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the generator")
def test_shutdown_kills_a_running_generator(shop: Path) -> None:
    marker = f"specls-shutdown-test-{time.time_ns()}"
    (shop / "specls.toml").write_text(
        'include = ["specs/**/*.spec.md"]\n[generators.slow]\n'
        f'command = ["{sys.executable}", "-c", "import time; time.sleep(60)", "{marker}"]\n',
        encoding="utf-8",
    )
    spec = shop / "specs" / "users.spec.md"
    spec.write_text("---\ngenerator: slow\n---\n" + spec.read_text(encoding="utf-8"), "utf-8")
    before = tree_bytes(shop)  # .specls/cache left out: any load may add to it
    proc = subprocess.Popen(
        [sys.executable, "-m", "specls", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _send(proc, initialize_message(shop, initializationOptions={"trusted": True}))
        _send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        _send(
            proc,
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "workspace/executeCommand",
                "params": {
                    "command": "specls.regenerate",
                    "arguments": [{"unit": "specs/users.spec.md#user-model"}],
                },
            },
        )
        deadline = time.monotonic() + 20
        while not _processes_with(marker):
            assert time.monotonic() < deadline, "the generator never started"
            time.sleep(0.05)
        _send(proc, {"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": None})
        _send(proc, {"jsonrpc": "2.0", "method": "exit", "params": None})
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _processes_with(marker):
            assert time.monotonic() < deadline, "the generator outlived the server"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _processes_with(marker):
            os.kill(pid, 9)
    after = tree_bytes(shop)
    assert after == before


async def test_bad_tool_specls_in_pyproject_is_a_diagnostic(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    (root / "specls.toml").unlink()
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "shop"\n\n[tool.specls]\ninclude = "specs/*.spec.md"\n',
        encoding="utf-8",
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=uri(root / "specls.toml"), type=types.FileChangeType.Deleted),
                types.FileEvent(uri=uri(pyproject), type=types.FileChangeType.Created),
            ]
        )
    )
    diags = await wait_diagnostics(client, uri(pyproject), lambda ds: "SPEC118" in codes(ds))
    (bad,) = [d for d in diags if d.code == "SPEC118"]
    assert bad.range.start.line == 4  # the `include = …` line
    assert "tool.specls.include" in bad.message


async def test_merge_conflicted_lock_is_reported_and_never_overwritten(
    client: LanguageClient,
) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    lock = root / "spec.lock"
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    conflicted = "".join(
        [
            *lines[:3],
            "<<<<<<< HEAD\n",
            lines[3],
            "=======\n",
            lines[3],
            ">>>>>>> theirs\n",
            *lines[4:],
        ]
    )
    lock.write_text(conflicted, encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(lock), type=types.FileChangeType.Changed)]
        )
    )
    diags = await wait_diagnostics(client, uri(lock), lambda ds: "SPEC117" in codes(ds))
    (bad,) = diags
    assert bad.range.start.line == 3
    assert "merge conflict" in bad.message
    with pytest.raises(Exception, match=r"spec\.lock:4: unresolved merge conflict"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="specls.regenerate", arguments=[{"unit": "specs/cart.spec.md#cart"}]
            )
        )
    assert lock.read_text(encoding="utf-8") == conflicted


async def test_a_file_outside_the_workspace_starts_no_root(
    client: LanguageClient, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "big.spec.md").write_text("# Not opened\n[@use](#nowhere)\n", encoding="utf-8")
    notes = elsewhere / "notes.py"
    notes.write_text("print('hi')\n", encoding="utf-8")
    open_doc(client, notes)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(notes)),
            position=types.Position(line=0, character=1),
        )
    )
    assert hover is None
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.status", arguments=[{}])
    )
    assert [r["root"] for r in status["roots"]] == [uri(client.root)]  # type: ignore[attr-defined]
    assert uri(elsewhere / "big.spec.md") not in client.diagnostics
