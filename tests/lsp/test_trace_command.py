"""`specls.trace`: the traceability matrix of a root, served to the editor.

In-process against the fake editor (the data equals `specls trace --format
json`, unsaved buffers count, bad formats are refused), and once end to end
through a real `specls serve` for both client profiles."""

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


def cli_json(root: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "specls", "trace", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


async def test_the_json_matrix_is_what_the_cli_prints(shop: Path) -> None:
    lsp = await InProcess(shop).start()
    served = await lsp.command("specls.trace", {})
    assert served == cli_json(shop)
    assert served["totals"]["requirements"] == 5
    assert {r["id"] for r in served["requirements"]} == {
        "FR-001",
        "FR-002",
        "FR-003",
        "FR-004",
        "SC-001",
    }
    # the same root named by a file in it, and the format given explicitly
    by_file = await lsp.command(
        "specls.trace", {"uri": uri(shop / "specs/cart.spec.md"), "format": "json"}
    )
    assert by_file == served
    await lsp.stop()


async def test_an_unsaved_requirement_is_in_the_matrix_untraced_and_first(shop: Path) -> None:
    lsp = await InProcess(shop).start()
    rel = "specs/requirements.spec.md"
    text = (shop / rel).read_text("utf-8")
    line = "- **FR-004**: The system MUST never store a password in clear text.\n"
    assert line in text
    added = line + "- **FR-005**: Le système DOIT livrer les paniers à l’heure.\n"
    doc = await lsp.open(rel)
    await lsp.change(doc, text.replace(line, added))
    await lsp.settled()
    served = await lsp.command("specls.trace", {"format": "json"})
    assert served["totals"]["requirements"] == 6
    first = served["requirements"][0]
    assert first["id"] == "FR-005"
    assert first["verdict"] == "untraced"
    assert "FR-005" not in (shop / rel).read_text("utf-8")  # nothing was written
    await lsp.stop()


async def test_markdown_and_html_are_the_cli_renderings(shop: Path) -> None:
    lsp = await InProcess(shop).start()
    markdown = await lsp.command("specls.trace", {"format": "markdown"})
    cli_md = subprocess.run(
        [sys.executable, "-m", "specls", "trace", "--format", "markdown"],
        cwd=shop,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert markdown.rstrip("\n") == cli_md.rstrip("\n")
    assert "FR-003" in markdown
    page = await lsp.command("specls.trace", {"format": "html"})
    assert page.startswith("<!doctype html>")
    assert f"<title>Traceability: {shop.name}</title>" in page
    assert "FR-001" in page and "€" in page  # the requirement text, non-ASCII intact
    assert "<script" not in page and "http://" not in page and "https://" not in page
    await lsp.stop()


async def test_an_unknown_format_is_refused_with_a_message(shop: Path) -> None:
    lsp = await InProcess(shop).start()
    with pytest.raises(JsonRpcInvalidParams, match="unknown format 'table'"):
        await lsp.command("specls.trace", {"format": "table"})
    assert any("unknown format 'table'" in m for _, m in lsp.editor.messages)
    # the server goes on: the default format is answered
    assert (await lsp.command("specls.trace", {}))["totals"]["requirements"] == 5
    await lsp.stop()


async def test_trace_end_to_end(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    served = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.trace", arguments=[{"uri": uri(root)}])
    )
    assert served == cli_json(root)
    page = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="specls.trace", arguments=[{"format": "html"}])
    )
    assert page.startswith("<!doctype html>")
    assert "FR-004" in page
