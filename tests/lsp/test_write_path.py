"""The server's writes go through the one write path (the CLI's): the writer lock,
`spec.lock` re-read from disk inside it, open buffers through the editor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from inprocess import InProcess
from lsp_helpers import uri
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp import LanguageClient

CORRUPT = '{\n  "version": 1,\n  "units": {\n    "specs/catalog.spec.md#product": 12,\n'
PROFILES = ["visual_studio_code", "neovim"]


def _edit_spec(root: Path) -> None:
    spec = root / "specs/catalog.spec.md"
    spec.write_text(spec.read_text("utf-8").replace("Thé vert", "Thé noir"), "utf-8")


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("command", ["specls.stamp", "specls.regenerate"])
async def test_a_lock_corrupted_behind_the_servers_back_is_never_written(
    shop: Path, profile: str, command: str
) -> None:
    lsp = await InProcess(shop, profile).start()
    _edit_spec(shop)  # something to regenerate or stamp
    (shop / "spec.lock").write_text(CORRUPT, "utf-8")  # no watcher event reaches the server
    before = (shop / "spec.lock").read_bytes()
    with pytest.raises(JsonRpcInvalidParams, match=r"spec\.lock:\d+: .*fix the lock first"):
        await lsp.command(command, {"unit": "specs/catalog.spec.md#product"})
    assert (shop / "spec.lock").read_bytes() == before
    [(kind, message)] = lsp.editor.messages
    assert kind is types.MessageType.Error and message.startswith("spec.lock:")
    assert lsp.editor.edits == []  # no buffer was touched either
    await lsp.stop()


@pytest.mark.parametrize("command", ["specls.stamp", "specls.regenerate"])
async def test_corrupt_lock_over_the_protocol(client: LanguageClient, command: str) -> None:
    """The same through a real server process, for both client profiles."""
    root: Path = client.root  # type: ignore[attr-defined]
    _edit_spec(root)
    (root / "spec.lock").write_text(CORRUPT, "utf-8")
    before = (root / "spec.lock").read_bytes()
    with pytest.raises(Exception, match=r"spec\.lock:\d+: .*fix the lock first") as info:
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=command, arguments=[{"unit": "specs/catalog.spec.md#product"}]
            )
        )
    assert "InternalError" not in repr(info.value)
    assert (root / "spec.lock").read_bytes() == before


def _check(root: Path) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "specls", "status", "--format", "json", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return {o["output"]: o["status"] for o in json.loads(proc.stdout)["outputs"]}


async def test_a_regeneration_into_an_open_buffer_locks_on_save(shop: Path) -> None:
    lsp = await InProcess(shop, "visual_studio_code").start()
    output = await lsp.open("src/shop/catalog.py")
    _edit_spec(shop)
    spec = await lsp.open("specs/catalog.spec.md")
    await lsp.settled()
    lock_before = (shop / "spec.lock").read_bytes()
    result = await lsp.command("specls.regenerate", {"unit": "specs/catalog.spec.md#product"})
    assert result["regenerated"] == ["specs/catalog.spec.md#product"]
    [edit] = lsp.editor.edits
    assert edit.document_changes and edit.document_changes[0].text_document.uri == output
    # not saved yet: the lock on disk is untouched, and a terminal sees the disk as it is
    assert (shop / "spec.lock").read_bytes() == lock_before
    assert _check(shop)["src/shop/catalog.py"] == "stale"
    # the editor sees the buffer as fresh
    await lsp.settled()
    state = next(iter(lsp.server.session.roots.values()))
    statuses = {
        o.key: o.status.value
        for o in state.snapshot.analysis.units["specs/catalog.spec.md#product"].outputs
    }
    assert statuses["src/shop/catalog.py"] == "fresh"
    await lsp.save(output)
    await lsp.settled()
    for job in list(lsp.server.session.jobs):
        await job
    assert (shop / "spec.lock").read_bytes() != lock_before
    assert _check(shop)["src/shop/catalog.py"] == "fresh"
    assert spec  # the spec stays open throughout
    await lsp.stop()


async def test_closing_an_unsaved_regenerated_buffer_drops_its_pending_entry(shop: Path) -> None:
    lsp = await InProcess(shop, "visual_studio_code").start()
    output = await lsp.open("src/shop/catalog.py")
    _edit_spec(shop)
    lock_before = (shop / "spec.lock").read_bytes()
    await lsp.command("specls.regenerate", {"unit": "specs/catalog.spec.md#product"})
    state = next(iter(lsp.server.session.roots.values()))
    assert "specs/catalog.spec.md#product" in state.pending
    await lsp.request(
        types.TEXT_DOCUMENT_DID_CLOSE,
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=output)),
    )
    assert state.pending == {}
    await lsp.settled()
    assert (shop / "spec.lock").read_bytes() == lock_before
    assert _check(shop)["src/shop/catalog.py"] == "stale"
    await lsp.stop()


async def test_a_root_made_for_a_file_outside_the_folders_is_untrusted(
    shop: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    (other / "specs").mkdir(parents=True)
    (other / "specls.toml").write_text(
        '[generators.echo]\ncommand = ["python3", "-c", "print(1)"]\noutput = "markdown"\n'
    )
    (other / "specs/a.spec.md").write_text(
        "---\ngenerator: echo\n---\n# A\n\n## Gen {#gen}\n[@generate](../out.py)\n", "utf-8"
    )
    lsp = await InProcess(shop, "visual_studio_code", {"trusted": True}).start()
    doc = uri(other / "specs/a.spec.md")
    await lsp.request(
        types.TEXT_DOCUMENT_DID_OPEN,
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc,
                language_id="markdown",
                version=1,
                text=(other / "specs/a.spec.md").read_text("utf-8"),
            )
        ),
    )
    await lsp.settled()
    result = await lsp.command("specls.regenerate", {"unit": "specs/a.spec.md#gen", "uri": doc})
    [failed] = result["failed"]
    assert "not trusted" in failed["message"]
    assert not (other / "out.py").exists()
    await lsp.stop()


DIFF_NAME = "specs_catalog.spec.md_product--src_shop_catalog.py.diff"


@pytest.mark.parametrize("planted", ["dir", "file"])
async def test_show_diff_never_writes_through_a_planted_symlink(
    shop: Path, tmp_path: Path, planted: str
) -> None:
    """A cloned repository could ship `.specls/diff` (or the diff file itself) as a
    symlink to any file the user can write; showDiff must refuse, not follow it."""
    victim_dir = tmp_path / "outside"
    victim_dir.mkdir()
    victim = victim_dir / DIFF_NAME
    victim.write_text("precious\n")
    (shop / ".specls").mkdir(exist_ok=True)
    if planted == "dir":
        (shop / ".specls/diff").symlink_to(victim_dir)
    else:
        (shop / ".specls/diff").mkdir()
        (shop / ".specls/diff" / DIFF_NAME).symlink_to(victim)
    out = shop / "src/shop/catalog.py"
    out.write_text(out.read_text("utf-8").replace("Thé vert", "Thé blanc"), "utf-8")
    lsp = await InProcess(shop).start()
    arg = {"unit": "specs/catalog.spec.md#product", "output": "src/shop/catalog.py"}
    if planted == "dir":  # the folder leads outside: refused
        with pytest.raises(JsonRpcInvalidParams, match="symlink"):
            await lsp.command("specls.showDiff", arg)
        assert lsp.editor.shown == []
    else:  # the file itself is a link: replaced by a real file, never written through
        await lsp.command("specls.showDiff", arg)
        written = shop / ".specls/diff" / DIFF_NAME
        assert not written.is_symlink() and "Thé blanc" in written.read_text("utf-8")
    assert victim.read_text() == "precious\n"
    await lsp.stop()


async def test_show_diff_writes_the_hand_edit_as_a_patch(shop: Path) -> None:
    out = shop / "src/shop/catalog.py"
    out.write_text(out.read_text("utf-8").replace("Thé vert", "Thé blanc"), "utf-8")
    lsp = await InProcess(shop).start()
    result = await lsp.command(
        "specls.showDiff",
        {"unit": "specs/catalog.spec.md#product", "output": "src/shop/catalog.py"},
    )
    assert '-    "tea": Product("tea", "Thé vert", 450),' in result["diff"]
    assert '+    "tea": Product("tea", "Thé blanc", 450),' in result["diff"]
    written = shop / ".specls/diff" / DIFF_NAME
    assert written.read_text("utf-8") == result["diff"]
    assert [s.uri for s in lsp.editor.shown] == [uri(written)]
    await lsp.stop()
