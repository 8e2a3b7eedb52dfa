"""The server asks the client to watch exactly what matters: specs, lock, config, outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsp_helpers import change_doc, codes, open_doc, uri, wait_diagnostics, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient


def watched(client: LanguageClient) -> set[str]:
    patterns: set[str] = set()
    for reg in client.registrations:  # type: ignore[attr-defined]
        if reg.method != types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
            continue
        options: Any = reg.register_options
        for w in options["watchers"] if isinstance(options, dict) else options.watchers:
            glob = w["globPattern"] if isinstance(w, dict) else w.glob_pattern
            patterns.add(glob if isinstance(glob, str) else glob["pattern"])
    return patterns


async def test_watchers_cover_specs_lock_config_and_outputs(client: LanguageClient) -> None:
    caps = client.capabilities
    assert caps is not None and caps.workspace and caps.workspace.did_change_watched_files
    if not caps.workspace.did_change_watched_files.dynamic_registration:
        # Neovim's profile cannot register watchers: the server watches the disk itself.
        root: Path = client.root  # type: ignore[attr-defined]
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="specls.status", arguments=[{}])
        )
        assert watched(client) == set()
        spec = root / "specs" / "catalog.spec.md"
        spec.write_text(spec.read_text("utf-8").replace("French shoppers", "shoppers"), "utf-8")
        await wait_diagnostics(client, uri(spec), lambda ds: "SPEC201" in codes(ds))
        return
    await wait_for(lambda: bool(watched(client)), message="a didChangeWatchedFiles registration")
    patterns = watched(client)
    for expected in ("specs/**/*.spec.md", "spec.lock", "specls.toml", "src/shop/cart.py"):
        assert expected in patterns or f"**/{expected}" in patterns, patterns
    assert "docs/pricing-policy.md" in patterns or "**/docs/pricing-policy.md" in patterns
    assert "**/*" not in patterns

    # A new output in a spec: the registration follows.
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    doc_uri = open_doc(client, spec)
    text = spec.read_text(encoding="utf-8").replace(
        "[@generate](../src/shop/cart.py)",
        "[@generate](../src/shop/cart.py) [@generate](../src/shop/coupons.py)",
    )
    change_doc(client, doc_uri, text, 2)
    await wait_diagnostics(client, doc_uri, lambda ds: "SPEC204" in codes(ds))
    await wait_for(
        lambda: any(p.endswith("src/shop/coupons.py") for p in watched(client)),
        message="coupons.py watched",
    )
