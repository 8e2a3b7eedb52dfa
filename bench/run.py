"""specls benchmark: the CLI and the server as an editor sees them, beside floor and peer.

Run:  .venv/bin/python bench/run.py --size large      (or --size small, the CI smoke run)

It generates a seeded workspace (bench/gen_workspace.py) under bench/work/,
then measures, each figure over several iterations (min / median / p95 / p99):

- `specls check` as a subprocess, cold (no `.specls/cache`) and warm;
- a real `specls serve` process driven over stdio with raw JSON-RPC, as an
  editor would: start → `initialize` answered; start → first diagnostics of
  the opened 5,000-line spec; keystroke → its new diagnostics (every edit
  toggles a broken `[@use](#nope)` link, so the diagnostics always change);
  completion, hover, definition, references, document and workspace symbols;
  `workspace/executeCommand specls.regenerate` of one unit; peak RSS.

Beside each figure, its floor measured in the same run: reading and hashing
every file and mistune over every spec (both as a subprocess, like `check`),
and a trivial pygls server (bench/trivial_server.py) answering the same
requests with constants. Where the requests overlap, the peer:
vscode-markdown-languageserver from npm, installed into bench/peer/ on first
use (`npm install`; skipped with a note when npm is missing). It asks its
client for `markdown/parse`, `workspace/configuration`,
`markdown/findMarkdownFilesInWorkspace` and `markdown/fs/*`; this client
answers them (tokens from markdown-it-py), and the time spent answering
`markdown/parse` is recorded with the peer's figures. The peer uses pull
diagnostics, so its keystroke figure is didChange → `textDocument/diagnostic`
answered.

Results go to bench/results/<size>-<UTC time>.json; the table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_workspace import BIG, SIZES, Layout, generate  # noqa: E402

PEER_DIR = HERE / "peer"
PEER_MAIN = PEER_DIR / "node_modules/vscode-markdown-languageserver/dist/node/workerMain.js"
TIMEOUT = 120.0

Handler = Callable[[Any], Any]


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


# --- statistics -------------------------------------------------------------------------


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (p99 of 20 samples is the worst one)."""
    s = sorted(xs)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def stats(xs: list[float]) -> dict[str, Any] | None:
    if not xs:
        return None
    return {
        "n": len(xs),
        "min": min(xs),
        "median": statistics.median(xs),
        "p95": pct(xs, 0.95),
        "p99": pct(xs, 0.99),
        "samples": [round(x, 3) for x in xs],
    }


# --- a minimal JSON-RPC client over stdio ---------------------------------------------------


class Rpc:
    """An LSP client speaking raw JSON-RPC to a server process, as an editor does."""

    def __init__(self, proc: asyncio.subprocess.Process, handlers: dict[str, Handler]) -> None:
        self.proc = proc
        self.handlers = handlers
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.diagnostics: dict[str, list[tuple[float, int | None, int]]] = {}
        self.diag_event = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())
        self.stderr = asyncio.ensure_future(self._drain_stderr())

    @classmethod
    async def start(cls, argv: list[str], cwd: Path, handlers: dict[str, Handler]) -> Rpc:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=2**26,
        )
        return cls(proc, handlers)

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while await self.proc.stderr.read(65536):
            pass

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        while True:
            length = 0
            while True:
                line = await stdout.readline()
                if not line:
                    for fut in self.pending.values():
                        if not fut.done():
                            fut.set_exception(EOFError("server exited"))
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            message = json.loads(await stdout.readexactly(length))
            now = time.perf_counter()
            if "id" in message and "method" not in message:
                fut = self.pending.pop(message["id"], None)
                if fut is not None and not fut.done():
                    if "error" in message:
                        fut.set_exception(RuntimeError(json.dumps(message["error"])))
                    else:
                        fut.set_result(message.get("result"))
            elif "id" in message:
                handler = self.handlers.get(message["method"])
                try:
                    result = handler(message.get("params")) if handler else None
                    self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
                except Exception as exc:  # answer, never hang the server
                    self._send(
                        {
                            "jsonrpc": "2.0",
                            "id": message["id"],
                            "error": {"code": -32603, "message": str(exc)},
                        }
                    )
            elif message.get("method") == "textDocument/publishDiagnostics":
                p = message["params"]
                self.diagnostics.setdefault(p["uri"], []).append(
                    (now, p.get("version"), len(p["diagnostics"]))
                )
                self.diag_event.set()

    async def request(self, method: str, params: Any) -> tuple[Any, float]:
        """The result and the round trip in milliseconds."""
        self.next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        t = time.perf_counter()
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        result = await asyncio.wait_for(fut, TIMEOUT)
        return result, (time.perf_counter() - t) * 1000

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def wait_diagnostics(
        self, uri: str, version: int | None = None
    ) -> tuple[float, int | None, int]:
        """The first publish for `uri` (with `version`, when given): (time, version, count)."""
        deadline = time.perf_counter() + TIMEOUT
        while True:
            for entry in self.diagnostics.get(uri, []):
                if version is None or entry[1] == version:
                    return entry
            if self.proc.returncode is not None:
                raise EOFError("server exited")
            self.diag_event.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.diag_event.wait(), remaining)

    def peak_rss_mb(self) -> float | None:
        """VmHWM of the server process (Linux only)."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self.reader.cancel()
        self.stderr.cancel()


# --- the servers under test -----------------------------------------------------------------


@dataclass
class Server:
    """How to start one server and which requests it answers."""

    name: str
    argv: list[str]
    push_diagnostics: bool
    supports: set[str]
    handlers: Callable[[Layout, dict[str, str]], dict[str, Handler]]
    notes: list[str] = field(default_factory=list)
    parse_ms: list[float] = field(default_factory=list)  # peer only: our markdown/parse time


def _configuration(section_values: dict[str, Any]) -> Handler:
    def answer(params: Any) -> list[Any]:
        return [section_values.get(item.get("section", "")) for item in params["items"]]

    return answer


def _generic_handlers() -> dict[str, Handler]:
    return {
        "client/registerCapability": lambda p: None,
        "client/unregisterCapability": lambda p: None,
        "window/workDoneProgress/create": lambda p: None,
        "window/showDocument": lambda p: {"success": False},
        "window/showMessageRequest": lambda p: None,
        "workspace/applyEdit": lambda p: {"applied": False},
        "workspace/diagnostic/refresh": lambda p: None,
        "workspace/codeLens/refresh": lambda p: None,
        "workspace/semanticTokens/refresh": lambda p: None,
        "workspace/inlayHint/refresh": lambda p: None,
    }


# every request figure; the peer answers a subset
REQUESTS = (
    "completion",
    "hover",
    "definition",
    "references",
    "documentSymbol",
    "workspaceSymbol",
    "regenerate",
)


def specls_server() -> Server:
    def handlers(layout: Layout, buffers: dict[str, str]) -> dict[str, Handler]:
        h = _generic_handlers()
        h["workspace/configuration"] = _configuration({})
        return h

    return Server(
        "specls",
        [sys.executable, "-m", "specls", "serve"],
        push_diagnostics=True,
        supports=set(REQUESTS),
        handlers=handlers,
    )


def trivial_server() -> Server:
    def handlers(layout: Layout, buffers: dict[str, str]) -> dict[str, Handler]:
        return _generic_handlers()

    return Server(
        "trivial pygls",
        [sys.executable, str(HERE / "trivial_server.py")],
        push_diagnostics=True,
        supports=set(REQUESTS),
        handlers=handlers,
    )


PEER_SETTINGS = {
    "markdown": {
        "suggest": {"paths": {"enabled": True}},
        "occurrencesHighlight": {"enabled": False},
        "validate": {
            "enabled": True,
            "referenceLinks": {"enabled": "warning"},
            "fragmentLinks": {"enabled": "warning"},
            "fileLinks": {"enabled": "warning", "markdownFragmentLinks": "inherit"},
            "ignoredLinks": [],
            "unusedLinkDefinitions": {"enabled": "hint"},
            "duplicateLinkDefinitions": {"enabled": "warning"},
        },
    }
}


def peer_server() -> Server | str:
    """The peer, installed into bench/peer/ on first use; a reason string when impossible."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return "node is not installed"
    if not PEER_MAIN.exists():
        if npm is None:
            return "npm is not installed"
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent"],
            cwd=PEER_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or not PEER_MAIN.exists():
            return "npm install failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    server = Server(
        "vscode-markdown-languageserver",
        [node, str(PEER_MAIN), "--stdio"],
        push_diagnostics=False,
        supports={"completion", "definition", "references", "documentSymbol", "workspaceSymbol"},
        handlers=lambda layout, buffers: {},
    )

    def handlers(layout: Layout, buffers: dict[str, str]) -> dict[str, Handler]:
        def parse(params: Any) -> list[dict[str, Any]]:
            t = time.perf_counter()
            text = params.get("text")
            if text is None:
                text = buffers.get(params["uri"])
            if text is None:
                text = path_of(params["uri"]).read_text(encoding="utf-8")
            tokens = [tok.as_dict() for tok in md.parse(text)]
            server.parse_ms.append((time.perf_counter() - t) * 1000)
            return tokens

        def find_md(params: Any) -> list[str]:
            return [uri_of(p) for p in sorted((layout.root / "specs").rglob("*.md"))]

        def read_file(params: Any) -> list[int]:
            return list(path_of(params["uri"]).read_bytes())

        def stat(params: Any) -> dict[str, bool] | None:
            p = path_of(params["uri"])
            return {"isDirectory": p.is_dir()} if p.exists() else None

        def read_dir(params: Any) -> list[Any]:
            p = path_of(params["uri"])
            return [[c.name, {"isDirectory": c.is_dir()}] for c in sorted(p.iterdir())]

        h = _generic_handlers()
        h.update(
            {
                "markdown/parse": parse,
                "markdown/findMarkdownFilesInWorkspace": find_md,
                "markdown/fs/readFile": read_file,
                "markdown/fs/stat": stat,
                "markdown/fs/readDirectory": read_dir,
                "markdown/fs/watcher/create": lambda p: None,
                "markdown/fs/watcher/delete": lambda p: None,
                "workspace/configuration": _configuration(PEER_SETTINGS),
            }
        )
        return h

    server.handlers = handlers
    return server


# --- one editor session ---------------------------------------------------------------------


@dataclass
class Positions:
    """Where in the big spec each request is made (LSP positions; the text is ASCII there)."""

    text: str
    heading: int
    directive: int
    use_col: int
    edit_at: str

    @classmethod
    def of(cls, layout: Layout) -> Positions:
        text = layout.big.read_text(encoding="utf-8")
        lines = text.split("\n")
        mid = layout.big_sections // 2
        heading = lines.index(f"## Section {mid} {{#s{mid}}}")
        directive = heading + 1
        use_col = lines[directive].index("[@use](#") + len("[@use](#")
        return cls(text, heading, directive, use_col, f"WHEN a user does thing {mid} ")

    def toggled(self, broken: bool) -> str:
        if not broken:
            return self.text
        return self.text.replace(self.edit_at, self.edit_at + "[@use](#nope) ", 1)


def _init_params(layout: Layout) -> dict[str, Any]:
    root = uri_of(layout.root)
    return {
        "processId": os.getpid(),
        "rootUri": root,
        "rootPath": str(layout.root),
        "workspaceFolders": [{"uri": root, "name": layout.root.name}],
        "capabilities": {
            "textDocument": {
                "synchronization": {"didSave": True},
                "publishDiagnostics": {"versionSupport": True},
                "diagnostic": {"dynamicRegistration": False},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {"completionItem": {"snippetSupport": False}},
                "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
            },
            "workspace": {"configuration": True, "workspaceFolders": True},
            "general": {"positionEncodings": ["utf-16"]},
        },
        "initializationOptions": {"markdownFileExtensions": ["md"]},
    }


async def _first_diagnostics(rpc: Rpc, server: Server, uri: str, version: int) -> tuple[float, int]:
    """Time at which the document's diagnostics are known, and how many there are."""
    if server.push_diagnostics:
        at, _, count = await rpc.wait_diagnostics(uri, version)
        return at, count
    result, _ = await rpc.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    return time.perf_counter(), len(result.get("items", []))


async def _open_session(
    server: Server, layout: Layout, pos: Positions
) -> tuple[Rpc, float, float, float, int, dict[str, str]]:
    """Start, initialize, open the big spec: (rpc, t0, init ms, first diag ms, count, buffers)."""
    buffers: dict[str, str] = {}
    t0 = time.perf_counter()
    rpc = await Rpc.start(server.argv, layout.root, server.handlers(layout, buffers))
    _, _ = await rpc.request("initialize", _init_params(layout))
    t_init = time.perf_counter()
    rpc.notify("initialized", {})
    if not server.push_diagnostics:
        rpc.notify("workspace/didChangeConfiguration", {"settings": PEER_SETTINGS})
    uri = uri_of(layout.big)
    buffers[uri] = pos.text
    rpc.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": pos.text}},
    )
    at, count = await _first_diagnostics(rpc, server, uri, 1)
    return rpc, t0, (t_init - t0) * 1000, (at - t0) * 1000, count, buffers


async def measure_server(
    server: Server, layout: Layout, pos: Positions, iterations: int, starts: int
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    init_ms: list[float] = []
    first_ms: list[float] = []
    for _ in range(starts):
        rpc, _, i_ms, f_ms, _, _ = await _open_session(server, layout, pos)
        init_ms.append(i_ms)
        first_ms.append(f_ms)
        await rpc.close()
    out["initialize"] = stats(init_ms)
    out["first_diagnostics"] = stats(first_ms)

    rpc, _, _, _, count, buffers = await _open_session(server, layout, pos)
    uri = uri_of(layout.big)
    doc = {"uri": uri}
    key_ms: list[float] = []
    unchanged = 0
    version = 1
    for i in range(iterations):
        version += 1
        text = pos.toggled(i % 2 == 0)
        buffers[uri] = text
        sent = time.perf_counter()
        rpc.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            },
        )
        at, new_count = await _first_diagnostics(rpc, server, uri, version)
        key_ms.append((at - sent) * 1000)
        unchanged += new_count == count
        count = new_count
        await asyncio.sleep(0.05)  # typing pauses; lets a debounce settle
    out["keystroke"] = stats(key_ms)
    out["keystroke_unchanged_diagnostics"] = unchanged

    async def timed(name: str, method: str, params: Callable[[int], Any]) -> None:
        if name not in server.supports:
            return
        xs = []
        for i in range(iterations):
            _, ms = await rpc.request(method, params(i))
            xs.append(ms)
        out[name] = stats(xs)

    at_use = {"line": pos.directive, "character": pos.use_col}
    await timed(
        "completion", "textDocument/completion", lambda i: {"textDocument": doc, "position": at_use}
    )
    await timed(
        "hover",
        "textDocument/hover",
        lambda i: {"textDocument": doc, "position": {"line": pos.directive, "character": 3}},
    )
    await timed(
        "definition",
        "textDocument/definition",
        lambda i: {"textDocument": doc, "position": {**at_use, "character": pos.use_col + 1}},
    )
    await timed(
        "references",
        "textDocument/references",
        lambda i: {
            "textDocument": doc,
            "position": {"line": pos.heading, "character": 4},
            "context": {"includeDeclaration": True},
        },
    )
    await timed("documentSymbol", "textDocument/documentSymbol", lambda i: {"textDocument": doc})
    await timed("workspaceSymbol", "workspace/symbol", lambda i: {"query": f"Section {i}"})
    if "regenerate" in server.supports:
        xs = []
        for i in range(iterations):
            unit = f"{BIG}#s{i % layout.big_sections}"
            result, ms = await rpc.request(
                "workspace/executeCommand",
                {"command": "specls.regenerate", "arguments": [{"unit": unit}]},
            )
            if server.name == "specls" and unit not in (result or {}).get("regenerated", []):
                raise RuntimeError(f"specls.regenerate {unit} did not regenerate: {result}")
            xs.append(ms)
        out["regenerate"] = stats(xs)
    out["peak_rss_mb"] = rpc.peak_rss_mb()
    await rpc.close()
    if server.parse_ms:
        out["client_markdown_parse_ms_total"] = round(sum(server.parse_ms), 1)
    return out


# --- the CLI and its floors ------------------------------------------------------------------

READ_HASH = """
import hashlib, os, sys
for d, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [x for x in dirs if x != '.specls']
    for f in files:
        with open(os.path.join(d, f), 'rb') as fh:
            hashlib.sha256(fh.read()).hexdigest()
"""

MISTUNE = """
import pathlib, sys, mistune
md = mistune.create_markdown(renderer=None)
for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.spec.md')):
    md(p.read_text(encoding='utf-8'))
"""


def _run_ms(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    ms = (time.perf_counter() - t) * 1000
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{argv} exited {done.returncode}: {done.stderr[-2000:]}")
    return ms


def measure_cli(layout: Layout, iterations: int) -> dict[str, Any]:
    check = [sys.executable, "-m", "specls", "check", "."]
    cache = layout.root / ".specls" / "cache"
    cold, warm, uncached = [], [], []
    for _ in range(iterations):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(_run_ms(check, layout.root))
        warm.append(_run_ms(check, layout.root))
        uncached.append(_run_ms(check, layout.root, {"SPECLS_NO_CACHE": "1"}))
    read_hash = [
        _run_ms([sys.executable, "-c", READ_HASH, str(layout.root)], layout.root)
        for _ in range(iterations)
    ]
    mistune = [
        _run_ms([sys.executable, "-c", MISTUNE, str(layout.root)], layout.root)
        for _ in range(iterations)
    ]
    return {
        "check_cold": stats(cold),
        "check_warm": stats(warm),
        "check_no_cache": stats(uncached),
        "floor_read_hash": stats(read_hash),
        "floor_mistune": stats(mistune),
    }


# --- the table --------------------------------------------------------------------------------

TARGETS = {
    "check_cold": "≤ 2 s",
    "check_warm": "≤ 3× read+hash",
    "initialize": "≤ 300 ms",
    "keystroke": "p95 ≤ 200 ms",
    "completion": "p99 ≤ 20 ms",
    "hover": "p99 ≤ 20 ms",
    "documentSymbol": "≤ peer",
    "peak_rss_mb": "≤ 250 MB",
}

ROWS = [
    ("check_cold", "`specls check` cold (cache empty; the run fills it)"),
    ("check_no_cache", "`specls check` with the cache off (`SPECLS_NO_CACHE=1`)"),
    ("check_warm", "`specls check` warm (parse cache)"),
    ("initialize", "server start → initialize answered"),
    ("first_diagnostics", "server start → first diagnostics"),
    ("keystroke", "keystroke → diagnostics (big spec)"),
    ("completion", "completion"),
    ("hover", "hover"),
    ("definition", "definition"),
    ("references", "references"),
    ("documentSymbol", "documentSymbol (big spec)"),
    ("workspaceSymbol", "workspace/symbol"),
    ("regenerate", "regenerate one unit (executeCommand)"),
    ("peak_rss_mb", "server peak RSS"),
]


def _fmt(s: Any, full: bool = False) -> str:
    if s is None:
        return "—"
    if isinstance(s, (int, float)):
        return f"{s:.0f} MB"
    if full:
        return f"{s['min']:.1f} / {s['median']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}"
    return f"{s['median']:.1f}"


def _ratio(a: Any, b: Any) -> str:
    if not isinstance(a, dict) or not isinstance(b, dict) or b["median"] <= 0:
        return ""
    r = a["median"] / b["median"]
    return f" ({r:.1f}×)" if r >= 1 else f" ({r:.2f}×)"


def table(results: dict[str, Any]) -> str:
    cli, servers = results["cli"], results["servers"]
    specls, trivial = servers.get("specls", {}), servers.get("trivial pygls", {})
    peer = servers.get("vscode-markdown-languageserver", {})
    lines = [
        "| figure | specls ms: min / median / p95 / p99 | floor (median) | peer (median) "
        "| target |",
        "|---|---|---|---|---|",
    ]
    for key, label in ROWS:
        if key.startswith("check"):
            mine = cli[key]
            floor = cli["floor_read_hash"]
            floor_s = f"read+sha256: {_fmt(floor)}{_ratio(mine, floor)}"
            if key != "check_warm":
                floor_s += f"; mistune: {_fmt(cli['floor_mistune'])}"
            peer_s = "—"
        else:
            mine = specls.get(key)
            floor = trivial.get(key)
            floor_s = f"trivial pygls: {_fmt(floor)}{_ratio(mine, floor)}" if floor else "—"
            p = peer.get(key)
            peer_s = f"{_fmt(p)}{_ratio(mine, p)}" if p else "—"
        mine_s = _fmt(mine, full=True)
        lines.append(f"| {label} | {mine_s} | {floor_s} | {peer_s} | {TARGETS.get(key, '')} |")
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def _load_note() -> str:
    try:
        load = os.getloadavg()
    except OSError:
        return "unknown"
    return f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores"


async def run_servers(
    layout: Layout, iterations: int, starts: int, with_peer: bool, notes: list[str]
) -> dict[str, Any]:
    pos = Positions.of(layout)
    servers: list[Server] = [specls_server(), trivial_server()]
    if with_peer:
        peer = peer_server()
        if isinstance(peer, str):
            notes.append(f"peer not measured: {peer}")
            print(f"note: peer not measured: {peer}", file=sys.stderr)
        else:
            servers.append(peer)
    else:
        notes.append("peer not measured: --no-peer")
    out: dict[str, Any] = {}
    for server in servers:
        print(f"measuring {server.name} …", file=sys.stderr)
        try:
            out[server.name] = await measure_server(server, layout, pos, iterations, starts)
        except (RuntimeError, EOFError, TimeoutError) as exc:
            if server is servers[0]:
                raise
            notes.append(f"{server.name} failed: {exc}")
            print(f"note: {server.name} failed: {exc}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="specls benchmark (see the module docstring)")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=30, help="samples per request figure")
    parser.add_argument("--starts", type=int, default=5, help="server starts measured")
    parser.add_argument("--cli-iterations", type=int, default=5, help="`specls check` runs")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="where workspaces go")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--no-peer", action="store_true", help="skip the npm peer server")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the workspace a previous run generated"
    )
    parser.add_argument("--note", default="", help="free text stored with the results")
    args = parser.parse_args(argv)

    notes = [args.note] if args.note else []
    load_before = _load_note()
    t = time.perf_counter()
    root = args.work / args.size
    marker = root / ".specls-bench"
    if args.reuse and marker.is_file() and marker.read_text() == f"{args.size} {args.seed}":
        n_specs, big_sections = SIZES[args.size]
        layout = Layout(root, n_specs, big_sections)
    else:
        layout = generate(root, args.size, args.seed)
        marker.write_text(f"{args.size} {args.seed}")
    print(f"workspace ready in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    files = [p for p in layout.root.rglob("*") if p.is_file() and ".specls" not in p.parts]
    workspace = {
        "specs": layout.specs + 1,
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "big_spec_lines": layout.big.read_text(encoding="utf-8").count("\n"),
    }
    print("measuring the CLI …", file=sys.stderr)
    cli = measure_cli(layout, args.cli_iterations)
    servers = asyncio.run(
        run_servers(layout, args.iterations, args.starts, not args.no_peer, notes)
    )
    results = {
        "size": args.size,
        "seed": args.seed,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cores": os.cpu_count(),
            "load_before": load_before,
            "load_after": _load_note(),
        },
        "workspace": workspace,
        "iterations": {
            "requests": args.iterations,
            "starts": args.starts,
            "cli": args.cli_iterations,
        },
        "units": "milliseconds unless named otherwise",
        "notes": notes,
        "cli": cli,
        "servers": servers,
    }
    text = table(results)
    results["table"] = text
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.results / f"{args.size}-{stamp}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"\nspecls benchmark, {args.size} workspace ({layout.specs + 1} specs, "
        f"{len(files):,} files, big spec {workspace['big_spec_lines']:,} lines); "
        f"{results['machine']['load_after']}"
    )
    for note in notes:
        print(f"note: {note}")
    print(text)
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
