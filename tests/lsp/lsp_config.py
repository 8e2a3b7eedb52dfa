"""What the LSP tests share besides fixtures: the server command, the client profiles,
the initialize params and the editor's handlers (a module of its own, not `conftest`:
tests/agents has a conftest too, and a run of both folders imports one `conftest`)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop"
CLIENTS = ["visual_studio_code", "neovim"]


def copy_shop(tmp_path: Path) -> Path:
    dest = tmp_path / "shop"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".specls"))
    return dest


def uri(path: Path) -> str:
    result = from_fs_path(str(path))
    assert result is not None
    return result


def init_params(
    root: Path, client: str, options: dict[str, Any] | None = None
) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(client),
        root_uri=uri(root),
        workspace_folders=[types.WorkspaceFolder(uri=uri(root), name=root.name)],
        initialization_options=options or {"trusted": True},
        client_info=types.ClientInfo(name=client),
    )


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "specls", "serve"])


def install_handlers(lsp_client: LanguageClient) -> None:
    """What a real editor answers: applyEdit, lens refresh, registrations, specls/status."""
    lsp_client.applied_edits = []  # type: ignore[attr-defined]
    lsp_client.status_notes = []  # type: ignore[attr-defined]
    lsp_client.lens_refreshes = 0  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        lsp_client.applied_edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    # window/showMessageRequest: recorded; answered with `message_answer` (None: dismissed)
    lsp_client.message_requests = []  # type: ignore[attr-defined]
    lsp_client.message_answer = None  # type: ignore[attr-defined]

    @lsp_client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        lsp_client.message_requests.append(params)  # type: ignore[attr-defined]
        answer = lsp_client.message_answer  # type: ignore[attr-defined]
        return types.MessageActionItem(title=answer) if answer else None

    @lsp_client.feature("specls/status")
    def on_status(params: Any) -> None:
        lsp_client.status_notes.append(params)  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(params: None) -> None:
        lsp_client.lens_refreshes += 1  # type: ignore[attr-defined]

    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(params: types.UnregistrationParams) -> None:
        gone = {u.id for u in params.unregisterations}
        lsp_client.registrations[:] = [  # type: ignore[attr-defined]
            r
            for r in lsp_client.registrations  # type: ignore[attr-defined]
            if r.id not in gone
        ]
