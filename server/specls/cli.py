"""`specls`: check | status | regen | stamp | graph | serve.

argparse (stdlib) rather than click/typer: it costs no import time, and a
`specls check` in CI should not pay for more than it uses. Each command
imports what it needs when it runs: `specls --version` is Python's startup,
`check` never loads pygls, lsprotocol or the MCP SDK, and `serve` imports
the analysis layers only once a workspace is loaded
(`tests/cli/test_cli_imports.py` holds it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from specls import __version__
from specls.findings import Code, Finding, Severity

if TYPE_CHECKING:
    from specls.service import SpecService
    from specls.status import Analysis
    from specls.workspace import Workspace

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(f"specls: {message}", file=sys.stderr)


def _prefix(root: Path) -> str:
    rel = os.path.relpath(root, Path.cwd())
    return "" if rel == "." else rel.replace(os.sep, "/") + "/"


def _open(path: str | None, *, need_specs: bool = True) -> tuple[SpecService, Analysis] | None:
    from specls.service import SpecService, find_root

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
    ws = service.workspace
    if need_specs and not ws.docs and not ws.unreadable:
        where = _prefix(ws.root) or "."
        _err(
            f"0 spec documents found under {where} (include: {', '.join(ws.config.include)});"
            " set `include` in specls.toml"
        )
        return None
    return service, service.analyze()


_ORDER = [Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.HINT]
_NOUN = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _summary(service: SpecService, analysis: Analysis, findings: list[Finding]) -> str:
    """What was checked and what was found: documents, requirements, traces, severities."""
    docs = service.workspace.docs.values()
    requirements = sum(len(s.requirements) for d in docs for s in d.sections)
    traces = sum(len(s.requirement_refs) for d in docs for s in d.sections)
    checked = ", ".join(
        [
            _plural(len(service.workspace.docs), "document"),
            _plural(requirements, "requirement"),
            _plural(traces, "trace"),
            f"{len(analysis.units)} unit(s)",
        ]
    )
    by = {sev: sum(1 for f in findings if f.severity is sev) for sev in _ORDER}
    failing = by[Severity.ERROR] + by[Severity.WARNING]
    notes = by[Severity.INFO] + by[Severity.HINT]
    if not failing:
        tail = f" ({_plural(notes, 'note')})" if notes else ""
        return f"specls: {checked} checked, all clean{tail}"
    counts = [
        _plural(by[Severity.ERROR], "error"),
        _plural(by[Severity.WARNING], "warning"),
        _plural(notes, "note"),
    ]
    return f"{failing} problem(s) ({', '.join(counts)}) in {checked}"


def cmd_check(args: argparse.Namespace) -> int:
    paths: list[str] = args.paths or [args.root or "."]
    opened = _open(args.root or paths[0])
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    root = service.workspace.root
    wanted: set[str] = set()  # workspace-relative files or folders named on the command line
    for p in paths:
        resolved = Path(p).resolve()
        if resolved.is_relative_to(root) and resolved != root:
            wanted.add(resolved.relative_to(root).as_posix())
    floor = _ORDER.index(Severity(args.min_severity))
    findings = [
        f
        for f in analysis.findings
        if _ORDER.index(f.severity) <= floor
        and (not wanted or any(f.path == w or f.path.startswith(w + "/") for w in wanted))
    ]
    if args.changed_since:
        from specls.changes import ChangesError, restrict

        try:
            findings = restrict(service.workspace, analysis, findings, args.changed_since)
        except ChangesError as exc:
            _err(str(exc))
            return EXIT_USAGE
    from specls.report import FORMATTERS

    prefix = _prefix(root)
    out = FORMATTERS[args.format](findings, prefix)
    if out:
        print(out)
    failing = [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    if args.format == "text":
        print(_summary(service, analysis, findings), file=sys.stderr)
    return EXIT_FINDINGS if failing else EXIT_OK


_STYLE = {  # by Status value
    "fresh": "green",
    "stale": "yellow",
    "edited": "magenta",
    "missing": "red",
    "unreadable": "bold red",
    "ungenerated": "cyan",
    "orphan": "red",
    "conflict": "bold red",
}


def cmd_status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from specls.status import Status
    from specls.traceability import features

    if args.shards is not None and args.shards < 1:
        _err("--shards needs a positive number")
        return EXIT_USAGE
    opened = _open(args.root or args.path)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    rows = [
        (ref, o.key, o.status, us.lock.generated if us.lock else "")
        for ref, us in sorted(analysis.units.items())
        for o in us.outputs
    ]
    rows += [(ref, "", Status.ORPHAN, "") for ref in analysis.orphans]
    extra: dict[str, object] = {}
    if args.stale or args.shards:
        from specls.shards import shard, stale_units

        units = stale_units(analysis)
        rows = [r for r in rows if r[0] in units]
        extra = {"units": units, "shards": shard(analysis, units, args.shards or 1)}
    found = features(service.workspace)
    unlocked = {  # fresh, but the lock lags: regen --stale or stamp settles it
        (ref, o.key) for ref, us in analysis.units.items() for o in us.outputs if o.unlocked
    }
    if args.format == "json":
        data = [
            {"unit": r, "output": k, "status": s.value, "generated": g or None}
            | ({"unlocked": True} if (r, k) in unlocked else {})
            for r, k, s, g in rows
        ]
        summary = [
            {
                "layout": f.layout,
                "feature": f.scope,
                "done": f.done,
                "requirements": [asdict(r) for r in f.requirements],
                "tasks": [asdict(t) for t in f.tasks],
            }
            for f in found
        ]
        print(
            json.dumps(
                {"outputs": data, "counts": analysis.counts(), "features": summary, **extra},
                indent=2,
            )
        )
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
            lags = " (lock lags)" if (ref, key) in unlocked else ""
            table.add_row(ref, key, f"[{_STYLE[st.value]}]{st.value}{lags}[/]", gen)
        console.print(table)
        counts = " · ".join(f"{n} {s}" for s, n in sorted(analysis.counts().items()))
        console.print(counts or "no generation units")
        if found:
            table = Table(box=None, pad_edge=False)
            for col in ("feature", "layout", "requirements", "traced", "tasks done"):
                table.add_column(col)
            for f in found:
                table.add_row(
                    f.scope or ".",
                    f.layout,
                    str(len(f.requirements)),
                    str(f.traced),
                    f"{f.done}/{len(f.tasks)}" if f.tasks else "-",
                )
            console.print()
            console.print(table)
    not_fresh = any(s is not Status.FRESH for _, _, s, _ in rows)
    return EXIT_FINDINGS if not_fresh and not extra else EXIT_OK


def _recover(path: str | None) -> None:
    """Finish what a killed specls left (transaction.recover) before a write command
    reads the workspace; what it did goes to stderr."""
    from specls.regen.transaction import recover
    from specls.service import find_root
    from specls.writelock import LOCK_FILE, clear_stale

    start = Path(path or ".")
    if start.exists():
        root = find_root(start)
        for line in recover(root):
            _err(f"recovered: {line}")
        if clear_stale(root):
            _err(f"recovered: removed {LOCK_FILE} left by a writer that is gone")


def cmd_regen(args: argparse.Namespace) -> int:
    from specls.regen.engine import resolve_refs
    from specls.regen.tangle import GenerationError
    from specls.regen.transaction import TransactionError
    from specls.service import WriteRefused
    from specls.status import Status

    _recover(args.root)
    opened = _open(args.root)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    if args.refs:
        refs, unknown = resolve_refs(service.workspace, analysis, args.refs)
        if unknown:
            _err("no generation unit matches: " + ", ".join(unknown))
            return EXIT_USAGE
    elif args.stale or args.all:
        refs = [
            r
            for r, us in sorted(analysis.units.items())
            if args.all or us.status is not Status.FRESH or us.needs_settling
        ]
    else:
        _err("name the units to regenerate, or pass --stale or --all")
        return EXIT_USAGE
    ws = service.workspace
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
    from specls.progress import RegenProgress

    try:
        with RegenProgress() as progress:
            outcome = service.regenerate(
                analysis,
                refs,
                force=args.force,
                dry_run=args.dry_run,
                generator=args.generator,
                jobs=args.jobs,
                on_event=progress,
            )
    except (WriteRefused, GenerationError, TransactionError, OSError) as exc:
        _err(f"{exc}")
        _err("nothing was written")
        return EXIT_FINDINGS
    plan = outcome.plan
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
    for r in plan.results:
        print(f"regenerated {r.ref}: {', '.join(sorted(r.files))}")
    return EXIT_OK


def _check_generator(ws: Workspace, name: str) -> str | None:
    from specls.regen.presets import BUILTIN, resolve_generator
    from specls.regen.tangle import GenerationError

    if name == BUILTIN:
        return None
    try:
        resolve_generator(ws.config, name)
    except GenerationError as exc:
        return str(exc)
    return None


def cmd_stamp(args: argparse.Namespace) -> int:
    from specls.regen.engine import resolve_refs, stampable
    from specls.service import WriteRefused

    _recover(args.root)
    opened = _open(args.root)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    ws = service.workspace
    if args.all and not args.prune and not stampable(ws, analysis):
        print("specls: nothing to stamp")
        return EXIT_OK
    try:
        if args.prune:
            service.prune(analysis)
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
        service.stamp(analysis, refs)
    except WriteRefused as exc:
        _err(str(exc))
        return EXIT_FINDINGS
    for ref in refs:
        print(f"stamped {ref}")
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    from specls.graphviz import render

    opened = _open(args.root or args.path)
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    sys.stdout.write(render(service.workspace, analysis, args.format))
    return EXIT_OK


def cmd_trace(args: argparse.Namespace) -> int:
    from specls.trace import build_matrix
    from specls.trace_report import FORMATS, as_table

    paths: list[str] = args.paths or ["."]
    opened = _open(paths[0])
    if opened is None:
        return EXIT_USAGE
    service, analysis = opened
    root = service.workspace.root
    only = {
        Path(p).resolve().relative_to(root).as_posix()
        for p in paths
        if Path(p).is_file() and Path(p).resolve().is_relative_to(root)
    }
    matrix = build_matrix(service.workspace, analysis, service.reader, only or None)
    if args.format == "table":
        print(as_table(matrix, _prefix(root), no_color=args.no_color))
    else:
        sys.stdout.write(FORMATS[args.format](matrix, _prefix(root)).rstrip("\n") + "\n")
    if args.fail_under is not None:
        got = matrix.percent(args.coverage)
        if got < args.fail_under:
            _err(f"{args.coverage} coverage {got:g}% is under {args.fail_under:g}%")
            return EXIT_FINDINGS
    return EXIT_OK


def cmd_lock_merge(args: argparse.Namespace) -> int:
    from specls.lockmerge import run_merge_driver

    return run_merge_driver(Path(args.base), Path(args.ours), Path(args.theirs), args.name)


def cmd_serve(args: argparse.Namespace) -> int:
    if args.tcp:
        from specls.lsp.server import serve

        return _exit_now(serve(tcp=args.tcp))
    from specls.lsp.early import answer_initialize  # the standard library only

    stdin, stdout = answer_initialize(sys.stdin.buffer, sys.stdout.buffer)
    from specls.lsp.server import serve

    return _exit_now(serve(stdin=stdin, stdout=stdout))


def _exit_now(code: int) -> NoReturn:
    """End the server process without the interpreter's teardown.

    When `serve` returns, the event loop has closed and every worker thread
    that writes has finished; what may still run is an analysis in a daemon
    thread, and freeing a big workspace's objects one by one took 4–10 s on
    the 1,000-spec benchmark, which editors see as a server that hangs on exit."""
    import contextlib
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed by `exit`, or the client left
            stream.flush()
    os._exit(code)


_ROOT_HELP = (
    "workspace directory (default: found upward from . by spec.lock, specls.toml, .git,"
    " pyproject.toml, .kiro, .specify or openspec/)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="specls",
        description="The spec is the source: check, regenerate and serve spec-driven workspaces.",
    )
    from specls.report import FORMATTERS

    parser.add_argument("--version", action="version", version=f"specls {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("check", help="report every problem (exit 1 when any error or warning)")
    p.add_argument(
        "paths", nargs="*", help="the workspace, or spec files and folders in it (default: .)"
    )
    p.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    p.add_argument(
        "--changed-since",
        metavar="REF",
        help="only findings in files changed since the merge base with REF (and the"
        " working tree), and in the units they reach",
    )
    p.add_argument(
        "--min-severity",
        choices=[s.value for s in _ORDER],
        default=Severity.HINT.value,
        help="hide findings below this severity (default: show all)",
    )
    p.add_argument("--root", help=_ROOT_HELP)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("status", help="a table of units and outputs with their status")
    p.add_argument("path", nargs="?", help="workspace directory (default: .)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--root", help=_ROOT_HELP)
    p.add_argument("--no-color", action="store_true", help="never colour the table")
    p.add_argument(
        "--stale",
        action="store_true",
        help="only the units `regen --stale` would regenerate; json adds their list"
        ' ("units") and shares for a CI matrix ("shards"); exit 0 (a listing)',
    )
    p.add_argument(
        "--shards",
        type=int,
        metavar="N",
        help="with --stale: split the units into at most N shards, units sharing a file together",
    )
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("regen", help="regenerate units (tangle by default)")
    p.add_argument("refs", nargs="*", help="units: spec.md#id, #id, id or a spec path")
    p.add_argument("--stale", action="store_true", help="every unit that is not fresh")
    p.add_argument("--all", action="store_true", help="every unit")
    p.add_argument("--dry-run", action="store_true", help="show what would be written")
    p.add_argument(
        "--force", action="store_true", help="overwrite hand-edited outputs (a backup is kept)"
    )
    p.add_argument("--root", help=_ROOT_HELP)
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
    p.add_argument("refs", nargs="*", help="units: spec.md#id, #id, id or a spec path")
    p.add_argument(
        "--all",
        action="store_true",
        help="every unit and @describe section (writes nothing when there is none)",
    )
    p.add_argument("--prune", action="store_true", help="drop orphan entries from the lock")
    p.add_argument("--root", help=_ROOT_HELP)
    p.set_defaults(func=cmd_stamp)

    p = sub.add_parser("graph", help="the dependency graph")
    p.add_argument("path", nargs="?", help="workspace directory (default: .)")
    p.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    p.add_argument("--root", help=_ROOT_HELP)
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser(
        "trace", help="the traceability matrix: requirements → sections/tasks → code → tests"
    )
    p.add_argument("paths", nargs="*", help="workspace directory or spec files (default: .)")
    p.add_argument("--format", choices=["table", "json", "markdown", "html"], default="table")
    p.add_argument(
        "--fail-under",
        type=float,
        metavar="PCT",
        help="exit 1 when the --coverage percentage is under PCT",
    )
    p.add_argument(
        "--coverage",
        choices=["traced", "implemented", "tested"],
        default="traced",
        help="what --fail-under measures (default: traced)",
    )
    p.add_argument("--no-color", action="store_true", help="never colour the table")
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser("lock", help="spec.lock tools")
    lock_sub = p.add_subparsers(dest="lock_command", metavar="ACTION", required=True)
    p = lock_sub.add_parser(
        "merge",
        help="git merge driver: merge spec.lock per unit (%%O %%A %%B [%%P])",
        description='git config merge.specls.driver "specls lock merge %O %A %B %P" and'
        " `spec.lock merge=specls` in .gitattributes. Writes the merge into OURS; exit 1 when"
        " a unit changed differently on both sides (recorded in the lock, reported by check).",
    )
    p.add_argument("base", help="the common ancestor's version (%%O)")
    p.add_argument("ours", help="this branch's version, overwritten with the merge (%%A)")
    p.add_argument("theirs", help="the other branch's version (%%B)")
    p.add_argument("name", nargs="?", help="the path being merged, for messages (%%P)")
    p.set_defaults(func=cmd_lock_merge)

    from specls.agents.cli import add_agent_commands

    add_agent_commands(sub)

    p = sub.add_parser("serve", help="start the language server (stdio)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead, for debugging")
    p.add_argument("--stdio", action="store_true", help="accepted for editors that pass it")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--version"]:  # before building the parser: no import beyond this module
        print(f"specls {__version__}")
        return EXIT_OK
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
