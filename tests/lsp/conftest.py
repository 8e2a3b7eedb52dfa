"""pytest-lsp fixtures: a real `specls serve` process on a copy of examples/shop,
for the VS Code and Neovim client capability profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_config import CLIENTS, SERVER, copy_shop, init_params, install_handlers
from pytest_lsp import LanguageClient


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return copy_shop(tmp_path)


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, shop: Path):
    install_handlers(lsp_client)
    await lsp_client.initialize_session(init_params(shop, request.param))
    lsp_client.root = shop  # type: ignore[attr-defined]
    lsp_client.client_name = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()
