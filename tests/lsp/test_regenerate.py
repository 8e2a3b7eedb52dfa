"""The regeneration cycle through the protocol: edit → stale → regenerate with
progress → applied edit → fresh; cancellation; a regen in a terminal shows up."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_helpers import change_doc, codes, open_doc, uri, wait_diagnostics, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.helpers import tree_bytes


def _edit_cart(text: str) -> str:
    edited = text.replace(
        "        return sum(CATALOG[sku].price_cents * n for sku, n in self.items.items())",
        "        return sum(CATALOG[sku].price_cents * n for sku, n in self.items.items())\n\n"
        "    def is_empty(self) -> bool:\n"
        '        """Vide ? 🛒"""\n'
        "        return not self.items",
    )
    assert edited != text
    return edited


async def test_edit_stale_regenerate_fresh_cycle(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    out = root / "src" / "shop" / "cart.py"
    text = spec.read_text(encoding="utf-8")
    spec_uri = open_doc(client, spec)
    out_text = out.read_text(encoding="utf-8")
    out_uri = open_doc(client, out)  # open in the editor: regenerated via applyEdit

    edited = _edit_cart(text)
    change_doc(client, spec_uri, edited, 2)
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" in codes(ds))
    await wait_diagnostics(client, out_uri, lambda ds: "SPEC201" in codes(ds))

    line = edited.splitlines().index("## Cart model {#cart}")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="specls.regenerate",
            arguments=[{"uri": spec_uri, "position": {"line": line + 3, "character": 2}}],
        )
    )
    assert result["regenerated"] == ["specs/cart.spec.md#cart"]
    assert result["failed"] == [] and result["refused"] == []

    # Work-done progress: begin, report, end — in that order.
    reports = [r for token, rs in client.progress_reports.items() for r in rs]
    kinds = [r.kind for r in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    assert reports[0].title == "Regenerating specs/cart.spec.md#cart"
    assert reports[0].cancellable is True

    # The open output was changed through workspace/applyEdit (editor undo works).
    edits = client.applied_edits  # type: ignore[attr-defined]
    assert len(edits) == 1
    if edits[0].edit.document_changes:  # VS Code: versioned document changes
        (doc_edit,) = edits[0].edit.document_changes
        assert doc_edit.text_document.uri == out_uri
        (text_edit,) = doc_edit.edits
    else:  # Neovim's profile: a plain `changes` map
        ((changed_uri, (text_edit,)),) = edits[0].edit.changes.items()
        assert changed_uri == out_uri
    new_text = text_edit.new_text
    assert "def is_empty(self) -> bool:" in new_text and "Vide ? 🛒" in new_text
    lines = out_text.split("\n")
    assert text_edit.range == types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=len(lines) - 1, character=len(lines[-1])),
    )
    # The editor applies it and tells the server; the lock was written.
    change_doc(client, out_uri, new_text, 2)
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" not in codes(ds))
    await wait_diagnostics(client, out_uri, lambda ds: not ds)
    assert "specs/cart.spec.md#cart" in (root / "spec.lock").read_text(encoding="utf-8")


async def test_closed_outputs_are_written_to_disk(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    spec_uri = open_doc(client, spec)
    edited = _edit_cart(spec.read_text(encoding="utf-8"))
    change_doc(client, spec_uri, edited, 2)
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" in codes(ds))
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.regenerateStale", arguments=[{"uri": spec_uri}])
    )
    assert result["regenerated"] == ["specs/cart.spec.md#cart"]
    assert client.applied_edits == []  # type: ignore[attr-defined]
    assert "def is_empty" in (root / "src" / "shop" / "cart.py").read_text(encoding="utf-8")
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" not in codes(ds))


async def test_regenerate_refuses_hand_edited_output(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    out = root / "src" / "shop" / "users.py"
    patched = out.read_text(encoding="utf-8") + "# patched\n"
    out.write_text(patched, encoding="utf-8")
    spec_uri = open_doc(client, root / "specs" / "users.spec.md")
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC202" in codes(ds))
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="specls.regenerate", arguments=[{"unit": "specs/users.spec.md#user-model"}]
        )
    )
    assert result["regenerated"] == []
    assert result["refused"][0]["unit"] == "specs/users.spec.md#user-model"
    assert "edited by hand" in result["refused"][0]["message"]
    assert result["refused"][0]["outputs"] == ["src/shop/users.py"]
    assert out.read_text(encoding="utf-8") == patched
    # asked first (window/showMessageRequest); dismissed, the refusal is shown
    [asked] = client.message_requests  # type: ignore[attr-defined]
    assert "edited by hand" in asked.message and result["answer"] is None
    await wait_for(lambda: any("edited by hand" in m.message for m in client.messages))
    # The refusal stays visible as a SPEC305 diagnostic on the section heading.
    diags = await wait_diagnostics(client, spec_uri, lambda ds: "SPEC305" in codes(ds))
    refusal = next(d for d in diags if d.code == "SPEC305")
    assert refusal.range.start.line == 2  # "## User model {#user-model}"
    assert refusal.message.startswith("regeneration refused: src/shop/users.py edited by hand")


async def test_untrusted_workspace_runs_no_generator(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    (root / "specls.toml").write_text(
        'include = ["specs/**/*.spec.md"]\n[generators.agent]\n'
        f'command = ["{sys.executable}", "-c", "open(\'pwned\', \'w\')"]\n',
        encoding="utf-8",
    )
    spec = root / "specs" / "users.spec.md"
    spec.write_text("---\ngenerator: agent\n---\n" + spec.read_text(encoding="utf-8"), "utf-8")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"specls": {"trusted": False}})
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=uri(root / "specls.toml"), type=types.FileChangeType.Changed),
                types.FileEvent(uri=uri(spec), type=types.FileChangeType.Changed),
            ]
        )
    )
    spec_uri = uri(spec)
    await asyncio.sleep(0.5)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="specls.regenerate", arguments=[{"unit": "specs/users.spec.md#user-model"}]
        )
    )
    assert result["regenerated"] == []
    assert "not trusted" in result["failed"][0]["message"]
    assert not (root / "pwned").exists()
    diags = await wait_diagnostics(client, spec_uri, lambda ds: "SPEC303" in codes(ds))
    assert next(d for d in diags if d.code == "SPEC303").severity == types.DiagnosticSeverity.Error


SLOW = """
[generators.slow]
command = ["{python}", "-c", "import time; time.sleep(30)"]
timeout = 60
"""


async def test_cancel_mid_regeneration_leaves_files_unchanged(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    (root / "specls.toml").write_text(
        'include = ["specs/**/*.spec.md"]\ngenerator = "tangle"\n'
        + SLOW.replace("{python}", sys.executable.replace("\\", "/")),
        encoding="utf-8",
    )
    spec = root / "specs" / "users.spec.md"
    text = spec.read_text(encoding="utf-8").replace("never stored", "never, ever stored")
    spec.write_text("---\ngenerator: slow\n---\n" + text, "utf-8")
    before = tree_bytes(root)  # .specls/cache left out: any load may add to it
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=uri(root / "specls.toml"), type=types.FileChangeType.Changed)
            ]
        )
    )
    spec_uri = open_doc(client, spec)
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" in codes(ds))
    task = asyncio.ensure_future(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="specls.regenerate",
                arguments=[{"unit": "specs/users.spec.md#user-model"}],
            )
        )
    )
    await wait_for(lambda: any(client.progress_reports.values()), message="progress begin")
    token = next(t for t, rs in client.progress_reports.items() if rs)
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(task, timeout=10)
    assert result["regenerated"] == []
    assert result["failed"][0]["message"] == "cancelled"
    after = tree_bytes(root)
    assert after == before
    assert client.progress_reports[token][-1].kind == "end"
    assert "Cancelled" in client.progress_reports[token][-1].message


async def test_regen_in_terminal_shows_up_in_the_editor(client: LanguageClient) -> None:
    """A file change reported by the client watcher refreshes diagnostics."""
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "catalog.spec.md"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("French shoppers", "shoppers"), "utf-8"
    )
    spec_uri = uri(spec)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=spec_uri, type=types.FileChangeType.Changed)]
        )
    )
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" in codes(ds))
    done = subprocess.run(
        [sys.executable, "-m", "specls", "regen", "--stale"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    changed = [
        types.FileEvent(uri=uri(root / p), type=types.FileChangeType.Changed)
        for p in ("spec.lock", "src/shop/catalog.py", "tests/test_catalog.py")
    ]
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=changed))
    await wait_diagnostics(client, spec_uri, lambda ds: "SPEC201" not in codes(ds), timeout=1.5)


@pytest.mark.parametrize("_", [0])
async def test_unknown_unit_is_an_error_not_a_crash(client: LanguageClient, _: int) -> None:
    with pytest.raises(Exception, match="not a generation unit"):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="specls.regenerate", arguments=[{"unit": "specs/nope.spec.md#x"}]
            )
        )
    status = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.status", arguments=[{}])
    )
    assert status["roots"][0]["counts"]["fresh"] == 6


async def test_regenerate_from_inside_generated_code(client: LanguageClient) -> None:
    """The cursor in a generated symbol names the section that owns it."""
    root: Path = client.root  # type: ignore[attr-defined]
    app = root / "src" / "shop" / "app.py"
    line = (
        app.read_text(encoding="utf-8").splitlines().index("def create_session(login: str) -> str:")
    )
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="specls.regenerate",
            arguments=[{"uri": uri(app), "position": {"line": line + 1, "character": 4}}],
        )
    )
    assert result["regenerated"] == ["specs/auth.spec.md#login"]
