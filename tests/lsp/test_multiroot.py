"""Multi-root workspaces: each folder is its own root with its own lock; and --tcp."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest_lsp
from lsp_config import EXAMPLE, SERVER, install_handlers
from lsp_helpers import (
    change_doc,
    codes,
    frame,
    initialize_message,
    open_doc,
    uri,
    wait_diagnostics,
)
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities


@pytest_lsp.fixture(config=SERVER)
async def two_roots(lsp_client: LanguageClient, tmp_path: Path):
    install_handlers(lsp_client)
    roots = []
    for name in ("alpha", "beta"):
        dest = tmp_path / name
        shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".specls"))
        roots.append(dest)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual_studio_code"),
            workspace_folders=[types.WorkspaceFolder(uri=uri(r), name=r.name) for r in roots],
            initialization_options={"trusted": True},
        )
    )
    lsp_client.roots = roots  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_each_folder_has_its_own_lock(two_roots: LanguageClient) -> None:
    alpha, beta = two_roots.roots  # type: ignore[attr-defined]
    status = await two_roots.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.status", arguments=[{}])
    )
    assert sorted(r["root"] for r in status["roots"]) == [uri(alpha), uri(beta)]
    assert all(r["counts"] == {"fresh": 6} for r in status["roots"])

    spec = beta / "specs" / "cart.spec.md"
    text = spec.read_text(encoding="utf-8")
    beta_uri = open_doc(two_roots, spec)
    alpha_uri = open_doc(two_roots, alpha / "specs" / "cart.spec.md")
    change_doc(two_roots, beta_uri, text.replace("exact to\nthe cent", "exact, always"), 2)
    await wait_diagnostics(two_roots, beta_uri, lambda ds: "SPEC201" in codes(ds))
    assert "SPEC201" not in codes(two_roots.diagnostics.get(alpha_uri, []))

    alpha_lock = (alpha / "spec.lock").read_bytes()
    result = await two_roots.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.regenerateStale", arguments=[{"uri": beta_uri}])
    )
    assert result["regenerated"] == ["specs/cart.spec.md#cart"]
    assert (alpha / "spec.lock").read_bytes() == alpha_lock
    assert (beta / "spec.lock").read_bytes() != alpha_lock
    await wait_diagnostics(two_roots, beta_uri, lambda ds: "SPEC201" not in codes(ds))


def test_serve_over_tcp(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "specls", "serve", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the TCP server never listened"
                time.sleep(0.1)
        with conn:
            conn.sendall(frame(initialize_message(tmp_path)))
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            header, _, rest = data.partition(b"\r\n\r\n")
            fields = dict(line.split(b":", 1) for line in header.split(b"\r\n"))
            length = int(fields[b"Content-Length"])
            while len(rest) < length:
                rest += conn.recv(65536)
            reply = json.loads(rest[:length])
        assert reply["id"] == 1
        caps = reply["result"]["capabilities"]
        assert caps["positionEncoding"] == "utf-16"
        assert "specls.regenerate" in caps["executeCommandProvider"]["commands"]
        assert reply["result"]["serverInfo"]["name"] == "specls"
    finally:
        proc.kill()
        proc.wait()
