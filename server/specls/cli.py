"""`specls`: check | status | regen | stamp | graph | serve.

argparse (stdlib) rather than click/typer: it costs no import time, and a
`specls check` in CI should not pay for more than it uses. No LSP import
here except inside `serve`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from specls import __version__
from specls.findings import Code, Severity
from specls.regen.engine import (
    apply_plan,
    broken_lock,
    plan_regen,
    prune,
    resolve_refs,
    stamp,
    stampable,
)
from specls.regen.tangle import GenerationError
from specls.regen.transaction import TransactionError
from specls.report import FORMATTERS
from specls.service import SpecService, find_root
from specls.status import Analysis, Status
from specls.workspace import Workspace

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(f"specls: {message}", file=sys.stderr)


def _prefix(root: Path) -> str:
    rel = os.path.relpath(root, Path.cwd())
    return "" if rel == "." else rel.replace(os.sep, "/") + "/"


def _open(path: str | None) -> tuple[SpecService, Analysis] | None:
    start = Path(path or ".")
    if not start.exists():
        _err(f"no such file or directory: {start}")
        return None
    service = SpecService.open(find_root(start))
    config_problem = next(
        (p for p in service.workspace.problems if p.code is Code.BAD_CONFIG), None
    )
    if config_problem is not None:
        _err(
            f"{config_problem.path}:{config_problem.range.start.line + 1}: {config_problem.message}"
        )
        return None
    return service, service.analyze()


def cmd_check(args: argparse.Namespace) -> int:
    paths: list[str] = args.paths or ["."]
    opened = _open(paths[0])
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    root = service.workspace.root
    files = {
        Path(p).resolve().relative_to(root).as_posix()
        for p in paths
        if Path(p).is_file() and Path(p).resolve().is_relative_to(root)
    }
    findings = [f for f in analysis.findings if not files or f.path in files]
    prefix = _prefix(root)
    out = FORMATTERS[args.format](findings, prefix)
    if out:
        print(out)
    failing = [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    if args.format == "text":
        units = len(analysis.units)
        if failing:
            print(f"{len(failing)} problem(s) in {units} unit(s)", file=sys.stderr)
        else:
            print(f"specls: {units} unit(s) checked, all clean", file=sys.stderr)
    return EXIT_FINDINGS if failing else EXIT_OK


_STYLE = {
    Status.FRESH: "green",
    Status.STALE: "yellow",
    Status.EDITED: "magenta",
    Status.MISSING: "red",
    Status.UNGENERATED: "cyan",
    Status.ORPHAN: "red",
    Status.CONFLICT: "bold red",
}


def cmd_status(args: argparse.Namespace) -> int:
    opened = _open(args.path)
    if opened is None:
        return EXIT_USAGE
    _, analysis = opened
    rows = [
        (ref, o.key, o.status, us.lock.generated if us.lock else "")
        for ref, us in sorted(analysis.units.items())
        for o in us.outputs
    ]
    rows += [(ref, "", Status.ORPHAN, "") for ref in analysis.orphans]
    if args.format == "json":
        data = [
            {"unit": r, "output": k, "status": s.value, "generated": g or None}
            for r, k, s, g in rows
        ]
        print(json.dumps({"outputs": data, "counts": analysis.counts()}, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console(
            no_color=args.no_color or None,
            highlight=False,
            width=None if sys.stdout.isatty() else 200,
        )
        table = Table(box=None, pad_edge=False)
        for col in ("unit", "output", "status", "generated"):
            table.add_column(col)
        for ref, key, st, gen in rows:
            table.add_row(ref, key, f"[{_STYLE[st]}]{st.value}[/]", gen)
        console.print(table)
        summary = " · ".join(f"{n} {s}" for s, n in sorted(analysis.counts().items()))
        console.print(summary or "no generation units")
    not_fresh = any(s is not Status.FRESH for _, _, s, _ in rows)
    return EXIT_FINDINGS if not_fresh else EXIT_OK


def cmd_regen(args: argparse.Namespace) -> int:
    opened = _open(args.root)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    ws = service.workspace
    if args.refs:
        refs, unknown = resolve_refs(ws, analysis, args.refs)
        if unknown:
            _err("no generation unit matches: " + ", ".join(unknown))
            return EXIT_USAGE
    elif args.stale or args.all:
        refs = [
            r
            for r, us in sorted(analysis.units.items())
            if args.all or us.status is not Status.FRESH
        ]
    else:
        _err("name the units to regenerate, or pass --stale or --all")
        return EXIT_USAGE
    if args.generator and (problem := _check_generator(ws, args.generator)):
        _err(problem)
        return EXIT_USAGE
    if args.show_prompt:
        from specls.regen.prompt import show_prompts

        units = [analysis.units[r].unit for r in refs]
        text = show_prompts(ws, service.reader.text, units, args.generator, args.format)
        sys.stdout.write(text)
        return EXIT_OK
    if not refs:
        print("specls: nothing to regenerate")
        return EXIT_OK
    if (why := broken_lock(ws)) is not None:
        _err(f"{why}; fix the lock before regenerating (nothing was written)")
        return EXIT_FINDINGS
    from specls.progress import RegenProgress

    with RegenProgress() as progress:
        plan = plan_regen(
            ws,
            analysis,
            service.reader,
            refs,
            force=args.force,
            generator=args.generator,
            jobs=args.jobs,
            on_event=progress,
        )
    for ref, warning, message in plan.warnings:
        _err(f"warning {ref}: {warning.value} {message}")
    for verb, items in (("refused", plan.refused), ("failed", plan.failed)):
        for ref, message in items:
            code = plan.codes.get(ref)
            _err(f"{verb} {ref}: {code.value + ' ' if code else ''}{message}")
    if not plan.ok:
        _err("nothing was written")
        return EXIT_FINDINGS
    if args.dry_run:
        for r in plan.results:
            for path in sorted(r.files):
                print(f"would write {path} ({r.ref})")
        return EXIT_OK
    try:
        apply_plan(ws, plan)
    except (GenerationError, TransactionError, OSError) as exc:
        _err(f"{exc}; nothing was written")
        return EXIT_FINDINGS
    for r in plan.results:
        print(f"regenerated {r.ref}: {', '.join(sorted(r.files))}")
    return EXIT_OK


def _check_generator(ws: Workspace, name: str) -> str | None:
    from specls.regen.presets import BUILTIN, resolve_generator

    if name == BUILTIN:
        return None
    try:
        resolve_generator(ws.config, name)
    except GenerationError as exc:
        return str(exc)
    return None


def cmd_stamp(args: argparse.Namespace) -> int:
    opened = _open(args.root)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    ws = service.workspace
    try:
        if args.prune:
            prune(ws, analysis)
            print(f"pruned {len(analysis.orphans)} orphan(s)")
            if not args.refs and not args.all:
                return EXIT_OK
            service.reload()
            analysis = service.analyze()
            ws = service.workspace
        refs = stampable(ws, analysis) if args.all else None
        if refs is None:
            if not args.refs:
                _err("name the units to stamp, or pass --all")
                return EXIT_USAGE
            refs, unknown = resolve_refs(ws, analysis, args.refs, stampable(ws, analysis))
            if unknown:
                _err("no generation unit matches: " + ", ".join(unknown))
                return EXIT_USAGE
        stamp(ws, analysis, service.reader, refs)
    except GenerationError as exc:
        _err(str(exc))
        return EXIT_FINDINGS
    for ref in refs:
        print(f"stamped {ref}")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    from specls.graphviz import render

    opened = _open(args.root)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    sys.stdout.write(render(service.workspace, analysis, args.format))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from specls.lsp.server import serve

    return serve(tcp=args.tcp)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="specls",
        description="The spec is the source: check, regenerate and serve spec-driven workspaces.",
    )
    parser.add_argument("--version", action="version", version=f"specls {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("check", help="report every problem (exit 1 when any error or warning)")
    p.add_argument("paths", nargs="*", help="workspace directory or spec files (default: .)")
    p.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("status", help="a table of units and outputs with their status")
    p.add_argument("path", nargs="?", help="workspace directory (default: .)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--no-color", action="store_true", help="never colour the table")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("regen", help="regenerate units (tangle by default)")
    p.add_argument("refs", nargs="*", help="units: spec.md#id, #id, id or a spec path")
    p.add_argument("--stale", action="store_true", help="every unit that is not fresh")
    p.add_argument("--all", action="store_true", help="every unit")
    p.add_argument("--dry-run", action="store_true", help="show what would be written")
    p.add_argument(
        "--force", action="store_true", help="overwrite hand-edited outputs (a backup is kept)"
    )
    p.add_argument("--root", help="workspace directory (default: found from .)")
    p.add_argument(
        "--generator", metavar="NAME", help="use this generator or preset (claude, codex, aider,"
        " gemini, llm, tangle, or one of specls.toml) instead of the spec's"
    )  # fmt: skip
    p.add_argument(
        "--show-prompt", action="store_true", help="print the prompt each unit's generator"
        " would get, and run nothing"
    )  # fmt: skip
    p.add_argument("--format", choices=["text", "json"], default="text", help="of --show-prompt")
    p.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N", help="run up to N independent units at"
        " once (a unit waits for what it @uses)"
    )  # fmt: skip
    p.set_defaults(func=cmd_regen)

    p = sub.add_parser("stamp", help="accept the current outputs as fresh")
    p.add_argument("refs", nargs="*")
    p.add_argument("--all", action="store_true")
    p.add_argument("--prune", action="store_true", help="drop orphan entries from the lock")
    p.add_argument("--root", help="workspace directory (default: found from .)")
    p.set_defaults(func=cmd_stamp)

    p = sub.add_parser("graph", help="the dependency graph")
    p.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    p.add_argument("--root", help="workspace directory (default: found from .)")
    p.set_defaults(func=cmd_graph)

    from specls.agents.cli import add_agent_commands

    add_agent_commands(sub)

    p = sub.add_parser("serve", help="start the language server (stdio)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead, for debugging")
    p.add_argument("--stdio", action="store_true", help="accepted for editors that pass it")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
