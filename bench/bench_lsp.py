"""Editor latency: keystroke → published diagnostics, and hover/completion round trips,
against a real `specls serve` on a large spec (5,000 lines) in a copy of examples/shop.

Run: .venv/bin/python bench/bench_lsp.py
Prints the median and worst of N keystrokes (the debounce, 150 ms, is included in
the publish latency; the requests must answer while analysis runs).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

sys.path.insert(0, str(Path(__file__).parent))
from bench_parse import make_spec

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"


async def main(keystrokes: int = 20) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "shop"
        shutil.copytree(SHOP, root)
        big = root / "specs" / "big.spec.md"
        text = make_spec().replace("../src/mod", "../src/big/mod")
        big.write_text(text, encoding="utf-8")
        uri = from_fs_path(str(big))
        assert uri is not None

        client = LanguageClient("bench", "0")
        published: dict[int, float] = {}

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_publish(params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri and params.version is not None:
                published.setdefault(params.version, time.perf_counter())

        @client.feature("specls/status")
        def on_status(params: object) -> None:
            return None

        await client.start_io(sys.executable, "-m", "specls", "serve")
        root_uri = from_fs_path(str(root))
        t0 = time.perf_counter()
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=root_uri,
                workspace_folders=[types.WorkspaceFolder(uri=root_uri or "", name="shop")],
            )
        )
        client.initialized(types.InitializedParams())
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="markdown", version=1, text=text
                )
            )
        )
        while 1 not in published:
            await asyncio.sleep(0.005)
        print(
            f"spec: {text.count(chr(10))} lines; first diagnostics after open: "
            f"{(published[1] - t0) * 1000:.0f} ms"
        )

        publish_ms: list[float] = []
        hover_ms: list[float] = []
        line = text.splitlines().index("## Section 200 {#s200}")
        for i in range(keystrokes):
            version = i + 2
            # Toggle a broken reference so every keystroke changes the diagnostics
            # (unchanged diagnostics are not re-published).
            if i % 2 == 0:
                text = text.replace("thing 200 ", "thing 200 [@use](#nowhere) ", 1)
            else:
                text = text.replace("thing 200 [@use](#nowhere) ", "thing 200 ", 1)
            sent = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
            h = time.perf_counter()
            await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=line, character=4),
                )
            )
            hover_ms.append((time.perf_counter() - h) * 1000)
            while version not in published:
                await asyncio.sleep(0.002)
            publish_ms.append((published[version] - sent) * 1000)
            await asyncio.sleep(0.05)

        def show(name: str, xs: list[float]) -> None:
            print(f"{name}: median {statistics.median(xs):6.1f} ms, worst {max(xs):6.1f} ms")

        show("keystroke → diagnostics (incl. 150 ms debounce)", publish_ms)
        show("hover during edits                             ", hover_ms)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


if __name__ == "__main__":
    asyncio.run(main())
