"""The traceability matrix as a terminal table, JSON, Markdown (a CI job summary)
or one self-contained HTML page (no network, no script: attach it to a CI run)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from specls import __version__
from specls.trace import FileLink, Matrix, Row

_ICON = {"untraced": "❌", "unimplemented": "⭕", "untested": "⚠️", "stale": "🟡", "ok": "✅"}


def _file(f: FileLink, prefix: str = "") -> str:
    where = prefix + (f"{f.key}:{f.line + 1}" if f.line is not None else f.key)
    notes = [] if f.via in ("generate", "test") else [f.via]
    if f.status not in (None, "fresh"):
        notes.append(str(f.status))
    elif not f.exists:
        notes.append("missing")
    return f"{where} ({', '.join(notes)})" if notes else where


def _traced_by(r: Row) -> list[str]:
    out = []
    for s in r.sections:
        if s.task:
            out.append(f"task {s.task}{' ✓' if s.done else ''} ({s.ref})")
        else:
            out.append(s.ref)
    return out


def _summary(m: Matrix) -> list[tuple[str, int, float | None]]:
    t = m.totals()
    return [
        ("requirements", t["requirements"], None),
        ("traced", t["traced"], m.percent("traced")),
        ("implemented", t["implemented"], m.percent("implemented")),
        ("tested", t["tested"], m.percent("tested")),
        ("stale", t["stale"], None),
    ]


def summary_line(m: Matrix) -> str:
    return " · ".join(
        f"{n} {label}" + (f" ({pct:g}%)" if pct is not None else "")
        for label, n, pct in _summary(m)
    )


def as_json(m: Matrix, prefix: str) -> str:
    data = {
        "totals": m.totals(),
        "percent": {k: m.percent(k) for k in ("traced", "implemented", "tested")},
        "requirements": [
            {
                "id": r.id,
                "kind": r.kind,
                "path": prefix + r.path,
                "line": r.line + 1,
                "text": r.text,
                "verdict": r.verdict,
                "traced": r.traced,
                "implemented": r.implemented,
                "tested": r.tested,
                "stale": r.stale,
                "sections": [
                    {
                        "ref": s.ref,
                        "title": s.title,
                        "line": s.line + 1,
                        "task": s.task,
                        "done": s.done,
                    }
                    for s in r.sections
                ],
                "files": [
                    {
                        "path": prefix + f.key,
                        "via": f.via,
                        "test": f.test,
                        "exists": f.exists,
                        "status": f.status,
                        "unit": f.unit,
                        "line": None if f.line is None else f.line + 1,
                    }
                    for f in r.files
                ],
            }
            for r in m.rows
        ],
        "unresolved": [
            {"path": prefix + u.path, "line": u.line + 1, "token": u.token} for u in m.unresolved
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(m: Matrix, prefix: str) -> str:
    lines = ["## Traceability", "", summary_line(m), ""]
    if not m.rows:
        return "\n".join([*lines, "No requirements found."])
    lines += [
        "| | requirement | traced by | implementation | tests |",
        "|---|---|---|---|---|",
    ]
    for r in m.rows:
        impl = [_file(f, prefix) for f in r.files if not f.test]
        tests = [_file(f, prefix) for f in r.files if f.test]
        lines.append(
            f"| {_ICON[r.verdict]} {r.verdict} | **{_md(r.id)}** {_md(_statement(r))}"
            f"<br>`{_md(prefix + r.path)}:{r.line + 1}` | {_md('<br>'.join(_traced_by(r))) or '—'}"
            f" | {_md('<br>'.join(impl)) or '—'} | {_md('<br>'.join(tests)) or '—'} |"
        )
    if m.unresolved:
        lines += ["", "Code comments naming no requirement or section:", ""]
        lines += [f"- `{_md(prefix + u.path)}:{u.line + 1}` `{_md(u.token)}`" for u in m.unresolved]
    return "\n".join(lines).replace("\\<br>", "<br>")


def _statement(r: Row) -> str:
    from specls.query import requirement_statement

    return requirement_statement(r.id, r.text)


def as_table(m: Matrix, prefix: str, no_color: bool = False) -> str:
    import io
    import sys

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(
        file=buf,
        no_color=no_color or None,
        highlight=False,
        force_terminal=sys.stdout.isatty() and not no_color,
        width=None if sys.stdout.isatty() else 200,
    )
    style = {
        "untraced": "red",
        "unimplemented": "red",
        "untested": "yellow",
        "stale": "yellow",
        "ok": "green",
    }
    table = Table(box=None, pad_edge=False)
    for col in ("requirement", "verdict", "traced by", "implementation", "tests"):
        table.add_column(col, overflow="fold")
    for r in m.rows:
        table.add_row(
            f"{r.id}  {prefix}{r.path}:{r.line + 1}",
            f"[{style[r.verdict]}]{r.verdict}[/]",
            "\n".join(_traced_by(r)) or "—",
            "\n".join(_file(f, prefix) for f in r.files if not f.test) or "—",
            "\n".join(_file(f, prefix) for f in r.files if f.test) or "—",
        )
    console.print(table)
    console.print(summary_line(m))
    return buf.getvalue().rstrip("\n")


_CSS = """
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--muted:#57606a;--line:#d0d7de;
  --bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
  margin:0;padding:24px 32px;background:#fff}
h1{font-size:22px;margin:0 0 4px}
.sub{color:var(--muted);margin-bottom:18px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:20px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:150px;
  background:var(--bg)}
.card b{font-size:22px;display:block}
.bar{height:6px;border-radius:3px;background:#e6e9ed;margin-top:6px;overflow:hidden}
.bar i{display:block;height:100%;background:var(--ok)}
table{border-collapse:collapse;width:100%}
th,td{border-top:1px solid var(--line);padding:7px 8px;vertical-align:top;text-align:left}
th{background:var(--bg);font-weight:600;position:sticky;top:0}
td.id{white-space:nowrap;font-weight:600}
.loc,.file{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  color:var(--muted)}
.file{display:block;color:#1f2328}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;
  font-weight:600;color:#fff;white-space:nowrap}
.untraced,.unimplemented{
  background:var(--bad)}.untested,.stale{background:var(--warn)}.ok{background:var(--ok)}
.st{font-size:11px;border-radius:4px;padding:0 4px;margin-left:4px;background:#fff8c5;
  color:var(--warn)}
.none{color:var(--muted)}
footer{margin-top:18px;color:var(--muted);font-size:12px}
"""


_NO_ROWS = '<tr><td colspan="6" class="none">No requirements found.</td></tr>'


def as_html(m: Matrix, prefix: str, title: str = "Traceability") -> str:
    e = html.escape

    def files(links: list[FileLink]) -> str:
        if not links:
            return '<span class="none">—</span>'
        out = []
        for f in links:
            where = f"{f.key}:{f.line + 1}" if f.line is not None else f.key
            badge = (
                f'<span class="st">{e(f.status)}</span>' if f.status not in (None, "fresh") else ""
            )
            missing = '<span class="st">missing</span>' if not f.exists and f.status is None else ""
            via = f" <small>({e(f.via)})</small>"
            out.append(f'<span class="file">{e(prefix + where)}{via}{badge}{missing}</span>')
        return "".join(out)

    cards = []
    for label, n, pct in _summary(m):
        bar = f'<div class="bar"><i style="width:{pct}%"></i></div>' if pct is not None else ""
        extra = f" <small>{pct:g}%</small>" if pct is not None else ""
        cards.append(f'<div class="card">{e(label)}<b>{n}{extra}</b>{bar}</div>')
    rows = []
    for r in m.rows:
        traced = (
            "".join(f'<span class="file">{e(t)}</span>' for t in _traced_by(r))
            or '<span class="none">—</span>'
        )
        rows.append(
            "<tr>"
            f'<td><span class="badge {r.verdict}">{e(r.verdict)}</span></td>'
            f'<td class="id">{e(r.id)}</td>'
            f'<td>{e(_statement(r))}<div class="loc">{e(prefix + r.path)}:{r.line + 1}</div></td>'
            f"<td>{traced}</td>"
            f"<td>{files([f for f in r.files if not f.test])}</td>"
            f"<td>{files([f for f in r.files if f.test])}</td>"
            "</tr>"
        )
    unresolved = ""
    if m.unresolved:
        items = "".join(
            f'<li class="file">{e(prefix + u.path)}:{u.line + 1} — {e(u.token)}</li>'
            for u in m.unresolved
        )
        unresolved = f"<h2>Code comments naming no requirement or section</h2><ul>{items}</ul>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{e(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{e(title)}</h1>
<div class="sub">Requirements → the sections and tasks that trace them → outputs and files
→ tests. Untraced and untested first.</div>
<div class="cards">{"".join(cards)}</div>
<table><thead><tr><th></th><th>ID</th><th>requirement</th><th>traced by</th>
<th>implementation</th><th>tests</th></tr></thead>
<tbody>{"".join(rows) or _NO_ROWS}</tbody></table>
{unresolved}
<footer>specls {e(__version__)} · {e(summary_line(m))}</footer>
</body></html>
"""


FORMATS: dict[str, Callable[[Matrix, str], str]] = {
    "json": as_json,
    "markdown": as_markdown,
    "html": as_html,
    "table": as_table,
}
