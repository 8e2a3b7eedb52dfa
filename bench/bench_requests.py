"""The editor requests alone, against real servers over stdio, on an existing workspace.

Run:  .venv/bin/python bench/bench_requests.py /tmp/large [--iterations 30]
          [--base /tmp/specls-base/server] [--peer]

`bench/run.py` measures everything (the CLI, start, keystrokes, regeneration);
this measures only what the editor asks while the user reads: document and
workspace symbols, completion, hover, definition, references — for specls,
optionally for another specls source tree (`--base`: its `server/` folder on
PYTHONPATH, e.g. the commit before a change) and for the peer
(vscode-markdown-languageserver, installed by `bench/run.py`). The workspace
is one `bench/gen_workspace.py` made (its `specs/big.spec.md` is opened);
the servers run one after the other, each after its first diagnostics. A
round of requests follows each keystroke (the first request on a new
snapshot builds its indexes) and is timed with the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_workspace import SIZES, Layout  # noqa: E402
from run import (  # noqa: E402
    Positions,
    Server,
    _first_diagnostics,
    _open_session,
    pct,
    peer_server,
    specls_server,
    uri_of,
)


async def measure(server: Server, layout: Layout, iterations: int) -> dict[str, list[float]]:
    pos = Positions.of(layout)
    rpc, _, _, first_ms, _, buffers = await _open_session(server, layout, pos)
    print(f"  {server.name}: first diagnostics after {first_ms / 1000:.1f} s", flush=True)
    uri = uri_of(layout.big)
    doc = {"uri": uri}
    at_use = {"line": pos.directive, "character": pos.use_col}
    requests: dict[str, tuple[str, Any]] = {
        "documentSymbol": ("textDocument/documentSymbol", {"textDocument": doc}),
        "completion": ("textDocument/completion", {"textDocument": doc, "position": at_use}),
        "hover": (
            "textDocument/hover",
            {"textDocument": doc, "position": {"line": pos.directive, "character": 3}},
        ),
        "definition": (
            "textDocument/definition",
            {"textDocument": doc, "position": {**at_use, "character": pos.use_col + 1}},
        ),
        "references": (
            "textDocument/references",
            {
                "textDocument": doc,
                "position": {"line": pos.heading, "character": 4},
                "context": {"includeDeclaration": True},
            },
        ),
    }
    out: dict[str, list[float]] = {name: [] for name in [*requests, "workspaceSymbol"]}
    version = 1
    for i in range(iterations):
        if i % 5 == 4:  # a keystroke now and then: the next requests meet a new snapshot
            version += 1
            text = pos.toggled(version % 2 == 0)
            buffers[uri] = text
            rpc.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": text}],
                },
            )
            await _first_diagnostics(rpc, server, uri, version)
        for name, (method, params) in requests.items():
            if name in server.supports:
                _, ms = await rpc.request(method, params)
                out[name].append(ms)
        if "workspaceSymbol" in server.supports:
            _, ms = await rpc.request("workspace/symbol", {"query": f"Section {i}"})
            out["workspaceSymbol"].append(ms)
    await rpc.close()
    return out


REQUESTS = ["documentSymbol", "completion", "hover", "definition", "references", "workspaceSymbol"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--base", type=Path, help="another specls source tree's server/ folder")
    ap.add_argument("--peer", action="store_true")
    args = ap.parse_args()
    layout = Layout(args.root.resolve(), SIZES["large"][0], SIZES["large"][1])
    servers: list[Server] = [specls_server()]
    if args.base:
        base = specls_server()
        base.name = "specls (base)"
        base.argv = ["env", f"PYTHONPATH={args.base}", *base.argv]
        servers.append(base)
    if args.peer:
        peer = peer_server()
        if isinstance(peer, str):
            print(f"peer skipped: {peer}")
        else:
            servers.append(peer)
    results = {s.name: asyncio.run(measure(s, layout, args.iterations)) for s in servers}
    print(f"{'request':16}" + "".join(f" {n[:26]:>26}" for n in results))
    print(f"{'':16}" + "".join(f" {'p50 / p95 / p99 ms':>26}" for _ in results))
    for name in REQUESTS:
        cells = []
        for xs in (r.get(name, []) for r in results.values()):
            cells.append(
                f"{statistics.median(xs):6.1f} / {pct(xs, 0.95):6.1f} / {pct(xs, 0.99):6.1f}"
                if xs
                else "—"
            )
        print(f"{name:16}" + "".join(f" {c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
