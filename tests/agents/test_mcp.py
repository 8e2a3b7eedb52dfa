"""`specls mcp` driven by the MCP SDK's own client over stdio, on a copy of examples/shop:
every tool, the section resources, regeneration with a fake agent, and the refusal
to run one when the user did not start the server with --trust."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from agent_env import path_env
from helpers import edit, tree_bytes
from mcp import Client
from mcp.client.stdio import StdioServerParameters

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def server(root: Path, *args: str, env: dict[str, str] | None = None) -> Client:
    return Client(
        StdioServerParameters(
            command=sys.executable, args=["-m", "specls", "mcp", *args], cwd=root, env=env
        )
    )


async def call(client: Client, tool: str, **arguments: Any) -> Any:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)  # type: ignore[union-attr]


async def error_of(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    return str(result.content[0].text)  # type: ignore[union-attr]


async def test_every_tool_and_the_section_resources(shop: Path) -> None:
    edit(shop, "specs/users.spec.md", "A user has a login", "A user has a unique login")
    cart = shop / "src/shop/cart.py"
    cart.write_text(cart.read_text() + "\n# patched by hand\n")
    async with server(shop) as client:
        tools = await client.list_tools()
        assert sorted(t.name for t in tools.tools) == [
            "check",
            "regenerate",
            "section",
            "spec_for_path",
            "status",
        ]

        owned = await call(client, "spec_for_path", path="src/shop/users.py")
        assert owned["generated"] is True
        [section] = owned["sections"]
        assert (section["ref"], section["spec"], section["status"]) == (
            "specs/users.spec.md#user-model",
            "specs/users.spec.md",
            "stale",
        )
        assert section["text"].startswith("## User model {#user-model}")
        symbol = await call(client, "spec_for_path", path=str(shop / "src/shop/app.py"))
        assert [(s["ref"], s["role"], s["symbol"]) for s in symbol["sections"]] == [
            ("specs/auth.spec.md#login", "generate", "create_session"),
            ("specs/auth.spec.md#app", "describe", "main"),
        ]
        main_only = await call(client, "spec_for_path", path="src/shop/app.py#main")
        assert [s["ref"] for s in main_only["sections"]] == ["specs/auth.spec.md#app"]
        assert main_only["generated"] is False
        hand = await call(client, "spec_for_path", path="src/shop/__init__.py")
        assert hand == {"path": "src/shop/__init__.py", "generated": False, "sections": []}
        assert "outside the workspace" in await error_of(client, "spec_for_path", path="/etc/x")

        status = await call(client, "status")
        order = [(u["ref"], u["status"]) for u in status["units"]]
        assert order == [
            ("specs/auth.spec.md#login", "stale"),
            ("specs/users.spec.md#user-model", "stale"),
            ("specs/cart.spec.md#cart", "edited"),
            ("specs/catalog.spec.md#product", "fresh"),
        ]
        assert status["counts"] == {"stale": 3, "edited": 1, "fresh": 2}

        login = await call(client, "section", ref="login")
        assert login["ref"] == "specs/auth.spec.md#login"
        assert login["uses"] == ["specs/users.spec.md#user-model"]
        assert login["outputs"] == [
            {"key": "src/shop/auth.py", "status": "stale"},
            {"key": "src/shop/app.py#create_session", "status": "stale"},
        ]
        assert "WHEN a user submits a valid password" in login["text"]
        pricing = await call(client, "section", ref="specs/cart.spec.md#pricing")
        assert pricing["status"] is None and pricing["outputs"] == []
        assert "no section matches nope" in await error_of(client, "section", ref="nope")

        findings = (await call(client, "check"))["findings"]
        codes = sorted({(f["code"], f["path"]) for f in findings})
        assert ("SPEC202", "specs/cart.spec.md") in codes
        assert ("SPEC201", "specs/users.spec.md") in codes
        only_cart = (await call(client, "check", paths=["src/shop/cart.py"]))["findings"]
        assert only_cart and {f["path"] for f in only_cart} == {"src/shop/cart.py"}

        resources = await client.list_resources()
        uris = [r.uri for r in resources.resources]
        assert "spec://specs/auth.spec.md#login" in uris
        assert "spec://specs/cart.spec.md#pricing" in uris
        read = await client.read_resource("spec://specs/cart.spec.md#pricing")
        assert read.contents[0].text.startswith("## Pricing rules {#pricing}")  # type: ignore[union-attr]

        # tangle starts no process: it runs in an untrusted server too
        done = await call(client, "regenerate", ref="user-model")
        assert done["written"] is True
        assert done["regenerated"] == [
            {"unit": "specs/users.spec.md#user-model", "files": ["src/shop/users.py"],
             "generator": "tangle"}
        ]  # fmt: skip
        refused = await call(client, "regenerate", ref="cart")
        assert refused["written"] is False
        assert refused["refused"][0]["code"] == "SPEC305"
        status = await call(client, "status")
        assert ("specs/users.spec.md#user-model", "fresh") in [
            (u["ref"], u["status"]) for u in status["units"]
        ]


async def test_regenerate_runs_a_fake_agent_when_the_user_trusts_the_root(
    shop: Path, fake_bin: Path
) -> None:
    spec = shop / "specs/users.spec.md"
    spec.write_text("---\ngenerator: claude\n---\n" + spec.read_text())
    async with server(shop, "--trust", env=path_env(fake_bin)) as client:
        done = await call(client, "regenerate", ref="specs/users.spec.md#user-model")
    assert done["written"] is True, done
    assert done["regenerated"][0]["generator"] == "claude"
    assert "Written by the fake claude" in (shop / "src/shop/users.py").read_text()
    lock = json.loads((shop / "spec.lock").read_text())
    assert lock["units"]["specs/users.spec.md#user-model"]["generator"] == "claude"


async def test_an_untrusted_root_runs_no_agent(shop: Path, fake_bin: Path, tmp_path: Path) -> None:
    spec = shop / "specs/users.spec.md"
    spec.write_text("---\ngenerator: claude\n---\n" + spec.read_text())
    marker = tmp_path / "agent-ran"
    env = path_env(fake_bin, FAKE_AGENT_MODE="workspace", FAKE_AGENT_TARGET=str(marker))
    before = tree_bytes(shop)
    async with server(shop, env=env) as client:
        result = await call(client, "regenerate", ref="user-model")
        # an argument cannot grant trust: the tool has no such parameter
        sneaky = await client.call_tool("regenerate", {"ref": "user-model", "trusted": True})
    assert result["written"] is False
    assert result["failed"] == [
        {
            "unit": "specs/users.spec.md#user-model",
            "code": "SPEC303",
            "message": "generator 'claude' not run: the workspace is not trusted",
        }
    ]
    assert "specls mcp --trust" in result["trust"]
    assert sneaky.is_error or json.loads(sneaky.content[0].text)["written"] is False  # type: ignore[union-attr]
    assert not marker.exists()
    assert tree_bytes(shop) == before
