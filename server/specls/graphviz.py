"""The `@use` and output graph, and requirement → task → file, as Mermaid or DOT text."""

from __future__ import annotations

from specls.status import Analysis
from specls.traceability import features
from specls.units import Graph
from specls.workspace import Workspace


def _id(name: str, ids: dict[str, str]) -> str:
    return ids.setdefault(name, f"n{len(ids)}")


def render(ws: Workspace, analysis: Analysis, fmt: str) -> str:
    graph = Graph(ws)
    ids: dict[str, str] = {}
    nodes: list[tuple[str, str, str]] = []  # id, label, kind
    edges: list[tuple[str, str, str]] = []  # from, to, label
    for ref, targets in sorted(graph.edges.items()):
        for t in targets:
            edges.append((_id(ref, ids), _id(t, ids), "use"))
    for ref, us in sorted(analysis.units.items()):
        for o in us.outputs:
            edges.append((_id(ref, ids), _id(o.key, ids), o.status.value))
            nodes.append((ids[o.key], o.key, "output"))
    for f in features(ws):
        for r in f.requirements:
            if not r.tasks:
                continue
            rid = _id(f"{f.scope}#{r.id}", ids)
            nodes.append((rid, f"{r.id} ({f.scope})", "requirement"))
            for task_id in r.tasks:
                edges.append((rid, _id(f"{f.scope}#{task_id}", ids), "task"))
        for task in f.tasks:
            tid = _id(f"{f.scope}#{task.id}", ids)
            nodes.append((tid, f"{task.id} {'done' if task.done else 'open'}", "task"))
            for path in task.files:
                edges.append((tid, _id(path, ids), "file"))
                nodes.append((ids[path], path, "output"))
    seen = {n[0] for n in nodes}
    for name, nid in ids.items():
        if nid not in seen:
            nodes.append((nid, name, "section"))
    nodes = list({n[0]: n for n in nodes}.values())  # a file named by two tasks: one node
    nodes.sort(key=lambda n: int(n[0][1:]))
    if fmt == "dot":
        out = ["digraph specls {", "  rankdir=LR;"]
        for nid, label, kind in nodes:
            shape = "note" if kind == "output" else "box"
            out.append(f'  {nid} [label="{label}", shape={shape}];')
        for a, b, label in edges:
            style = ", style=dashed" if label == "use" else ""
            out.append(f'  {a} -> {b} [label="{label}"{style}];')
        out.append("}")
        return "\n".join(out) + "\n"
    out = ["flowchart LR"]
    for nid, label, kind in nodes:
        out.append(f'  {nid}[/"{label}"/]' if kind == "output" else f'  {nid}["{label}"]')
    for a, b, label in edges:
        arrow = "-.->" if label == "use" else "-->"
        out.append(f"  {a} {arrow}|{label}| {b}")
    return "\n".join(out) + "\n"
