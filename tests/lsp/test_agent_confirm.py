"""The overwrite confirmation through the real server (`specls serve`), with the fake
`claude` agent on the server's PATH: the editor answers `window/showMessageRequest`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_config import CLIENTS, init_params, install_handlers
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.helpers import tree_bytes

FAKES = Path(__file__).resolve().parents[1] / "agents" / "fakes"
USERS_PY = "src/shop/users.py"
USER_MODEL = "specs/users.spec.md#user-model"
OVERWRITE = "Overwrite and keep a backup"

# the fakes' `#!/usr/bin/env python3` finds this interpreter; no real agent CLI is reachable
AGENT_ENV = {
    "PATH": f"{FAKES}{os.pathsep}{Path(sys.executable).parent}",
    "HOME": os.environ.get("HOME", "/tmp"),
}
SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "specls", "serve"], server_env=AGENT_ENV
)


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def agent_client(lsp_client: LanguageClient, request: pytest.FixtureRequest, shop: Path):
    config = shop / "specls.toml"
    config.write_text(config.read_text().replace('generator = "tangle"', 'generator = "claude"'))
    out = shop / USERS_PY
    out.write_text(out.read_text(encoding="utf-8") + "\n# tweaked by hand — é\n")
    install_handlers(lsp_client)
    await lsp_client.initialize_session(init_params(shop, request.param))
    lsp_client.root = shop  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _regenerate(client: LanguageClient, answer: str) -> Any:
    client.message_answer = answer  # type: ignore[attr-defined]
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.regenerate", arguments=[{"unit": USER_MODEL}])
    )
    [asked] = client.message_requests  # type: ignore[attr-defined]
    assert asked.type == types.MessageType.Warning
    assert asked.message.startswith(f"{USER_MODEL}: {USERS_PY} edited by hand")
    assert [a.title for a in asked.actions] == [OVERWRITE, "Show diff", "Cancel"]
    return result


async def test_overwrite_through_the_server(agent_client: LanguageClient) -> None:
    client = agent_client
    root: Path = client.root  # type: ignore[attr-defined]
    edited = (root / USERS_PY).read_bytes()
    result = await _regenerate(client, OVERWRITE)
    assert result["regenerated"] == [USER_MODEL], result
    assert result["answer"] == OVERWRITE
    assert "Written by the fake claude" in (root / USERS_PY).read_text(encoding="utf-8")
    [backup] = (root / ".specls" / "backup").glob(f"*/{USERS_PY}")
    assert backup.read_bytes() == edited
    reports = [r for rs in client.progress_reports.values() for r in rs]
    assert any(
        r.kind == "report" and r.message and r.message.startswith(f"{USER_MODEL} · claude · ")
        for r in reports
    ), reports


async def test_cancel_through_the_server(agent_client: LanguageClient) -> None:
    client = agent_client
    root: Path = client.root  # type: ignore[attr-defined]
    before = tree_bytes(root)
    result = await _regenerate(client, "Cancel")
    assert result["regenerated"] == [] and result["answer"] == "Cancel"
    assert tree_bytes(root) == before
