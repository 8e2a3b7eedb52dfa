"""In-process timings of the read-only editor features on a benchmark workspace.

Run:  .venv/bin/python bench/bench_features.py /tmp/index-large [--iterations 30]

Loads the workspace (a `bench/gen_workspace.py` root: `specs/big.spec.md` is
the 5,000-line spec) and analyses it once, then times each feature the way the
server answers it: a fresh `lsp.Snapshot` per request (as `Server.snapshot_for`
makes one), the feature's `run`, and the JSON the pygls protocol writes
(`json.dumps` with its cattrs converter). Each phase is reported apart
(median / p99 in ms), so one sees whether the feature or the serialization
costs. With `--edit`, each request is also timed as the first one on a new
snapshot: the big spec edited (a line added at its end), so that the
workspace, and whatever a feature keeps per workspace or per document
version, is new (the "after edit" rows).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import JsonRPCResponseMessage
from specls.lsp import (
    code_lens,
    completion,
    definition,
    document_symbols,
    folding,
    hover,
    links,
    references,
    semantic_tokens,
    workspace_symbols,
)
from specls.lsp.convert import path_to_uri
from specls.lsp.snapshot import Snapshot
from specls.outputs import OutputReader
from specls.status import analyze
from specls.workspace import Workspace

BIG = "specs/big.spec.md"
try:  # the server's converter and `Json` results; an older tree has pygls' own converter
    from specls.lsp.convert import converter, response_body
except ImportError:  # pragma: no cover - measuring a base tree
    from pygls.protocol import default_converter as converter

    def response_body(message: Any) -> str | None:
        return None


CONVERTER = converter()


def serialize(result: Any) -> str:
    """What pygls writes for a response: `json.dumps` with its cattrs fallback."""

    def default(o: Any) -> Any:
        if hasattr(o, "__attrs_attrs__"):
            return CONVERTER.unstructure(o)
        return o.__dict__

    message = JsonRPCResponseMessage(id=1, result=result, jsonrpc="2.0")
    body = response_body(message)  # what specls' protocol writes for a `Json` result
    return body if body is not None else json.dumps(message, default=default)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--only", default="", help="comma-separated request names")
    ap.add_argument("--skip", default="", help="comma-separated request names")
    ap.add_argument("--edit", action="store_true", help="also time the first request after an edit")
    args = ap.parse_args()
    t0 = time.perf_counter()
    ws = Workspace.load(args.root)
    reader = OutputReader(ws.root)
    analysis = analyze(ws, reader)
    print(f"load + analyse: {time.perf_counter() - t0:.1f} s ({len(ws.docs)} specs)", flush=True)
    text = (ws.root / BIG).read_text(encoding="utf-8")
    lines = text.split("\n")
    sections = sum(1 for line in lines if line.startswith("## Section "))
    mid = sections // 2
    heading = lines.index(f"## Section {mid} {{#s{mid}}}")
    directive = heading + 1
    use_col = lines[directive].index("[@use](#") + len("[@use](#")
    uri = path_to_uri(ws.root / BIG)
    doc = types.TextDocumentIdentifier(uri=uri)
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(snippet_support=False)
            ),
            document_symbol=types.DocumentSymbolClientCapabilities(
                hierarchical_document_symbol_support=True
            ),
        )
    )
    base = Snapshot(
        ws, analysis, reader.with_buffers({BIG: text}), texts={BIG: text}, capabilities=caps
    )
    other = next(r for r in sorted(ws.docs) if r != BIG)
    other_heading = ws.docs[other].sections[2].heading_range.start
    requests: dict[str, tuple[Callable[[Any, Any], Any], Any]] = {
        "documentSymbol": (document_symbols.run, types.DocumentSymbolParams(text_document=doc)),
        "completion": (
            completion.run,
            types.CompletionParams(
                text_document=doc, position=types.Position(line=directive, character=use_col)
            ),
        ),
        "hover": (
            hover.run,
            types.HoverParams(
                text_document=doc, position=types.Position(line=directive, character=3)
            ),
        ),
        "hover heading": (
            hover.run,
            types.HoverParams(
                text_document=doc, position=types.Position(line=heading, character=4)
            ),
        ),
        "definition": (
            definition.run,
            types.DefinitionParams(
                text_document=doc, position=types.Position(line=directive, character=use_col + 1)
            ),
        ),
        "references": (
            references.run,
            types.ReferenceParams(
                text_document=doc,
                position=types.Position(line=heading, character=4),
                context=types.ReferenceContext(include_declaration=True),
            ),
        ),
        "references (small spec)": (
            references.run,
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(uri=path_to_uri(ws.root / other)),
                position=types.Position(line=other_heading.line, character=4),
                context=types.ReferenceContext(include_declaration=True),
            ),
        ),
        "documentLink": (links.run, types.DocumentLinkParams(text_document=doc)),
        "codeLens": (code_lens.run, types.CodeLensParams(text_document=doc)),
        "foldingRange": (folding.run, types.FoldingRangeParams(text_document=doc)),
        "semanticTokens": (semantic_tokens.run, types.SemanticTokensParams(text_document=doc)),
    }
    pauses: list[float] = []
    started: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(on_gc)  # full collections: the outliers of every row
    print(
        f"{'request':26} {'run p50':>8} {'run p99':>8} {'json p50':>9} {'json p99':>9} {'bytes':>9}"
    )
    gc.collect()
    rounds = [(name, False) for name in requests]
    if args.edit:
        rounds += [(name, True) for name in requests]
    for name, edited in rounds:
        run, params = requests[name]
        if (args.only and name not in args.only.split(",")) or name in args.skip.split(","):
            continue
        run_ms: list[float] = []
        ser_ms: list[float] = []
        size = 0
        for i in range(args.iterations):
            snap = replace(base, texts=dict(base.texts))  # a new snapshot per request
            if edited:
                new_text = f"{text}\nEdited {i} ✎\n"
                new_ws = snap.workspace.with_text(BIG, new_text)
                snap = replace(snap, workspace=new_ws, texts={BIG: new_text})
            a = time.perf_counter()
            result = run(snap, params)
            b = time.perf_counter()
            body = serialize(result)
            c = time.perf_counter()
            run_ms.append((b - a) * 1000)
            ser_ms.append((c - b) * 1000)
            size = len(body)
        row(f"{name} after edit" if edited else name, run_ms, ser_ms, size)
    if (not args.only or "workspaceSymbol" in args.only) and "workspaceSymbol" not in args.skip:
        run_ms, ser_ms = [], []
        for i in range(args.iterations):
            snap = replace(base, texts=dict(base.texts))
            params_ws = types.WorkspaceSymbolParams(query=f"Section {i}")
            a = time.perf_counter()
            result = workspace_symbols.run([snap], params_ws)
            b = time.perf_counter()
            body = serialize(result)
            c = time.perf_counter()
            run_ms.append((b - a) * 1000)
            ser_ms.append((c - b) * 1000)
        row("workspaceSymbol", run_ms, ser_ms, len(body))
    if pauses:
        print(f"full GC collections: {len(pauses)}, longest {max(pauses):.0f} ms")
    return 0


def row(name: str, run_ms: list[float], ser_ms: list[float], size: int) -> None:
    print(
        f"{name:26} {statistics.median(run_ms):8.2f} {pct(run_ms, 0.99):8.2f}"
        f" {statistics.median(ser_ms):9.2f} {pct(ser_ms, 0.99):9.2f} {size:9d}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
