"""`specls.trace`: the traceability matrix of a root, for the editor's matrix view.

The same matrix as `specls trace` (`trace.build_matrix` over the root's
current snapshot, so unsaved spec buffers count), rendered by the same
`trace_report` functions: `json` is answered as the object `specls trace
--format json` prints, so a client reads fields rather than parsing a
string; `markdown` and `html` are answered as text (Neovim shows the one in
a scratch buffer, VS Code the other in a webview). Paths are relative to the
root. Building scans the code files for trace comments, so it runs in a
worker thread.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from specls.lsp.commands import root_of
from specls.lsp.guard import UserError
from specls.trace import build_matrix
from specls.trace_report import as_html, as_json, as_markdown

if TYPE_CHECKING:
    from specls.lsp.server import Server

TRACE = "specls.trace"

FORMATS = ("json", "markdown", "html")


async def trace(server: Server, arg: dict[str, Any]) -> Any:
    fmt = arg.get("format") or "json"
    if fmt not in FORMATS:
        raise UserError(
            f"specls.trace: unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})"
        )
    snap = await server.session.current(root_of(server, arg))

    def render() -> Any:
        matrix = build_matrix(snap.workspace, snap.analysis, snap.reader)
        if fmt == "json":
            return json.loads(as_json(matrix, ""))
        if fmt == "markdown":
            return as_markdown(matrix, "")
        return as_html(matrix, "", title=f"Traceability: {snap.workspace.root.name}")

    return await asyncio.to_thread(render)
