"""`specls mcp` and `specls guard`: the subcommands for agents that edit code.

Registered by `specls.cli` with one call; the MCP SDK is imported only when
`specls mcp` runs (it is the optional extra `specls[mcp]`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def cmd_mcp(args: argparse.Namespace) -> int:
    try:
        from specls.agents.mcp_server import serve
    except ImportError:
        print("specls: `specls mcp` needs the MCP SDK: pip install 'specls[mcp]'", file=sys.stderr)
        return 2
    from specls.service import find_root

    start = Path(args.root or ".")
    if not start.is_dir():
        print(f"specls: no such directory: {start}", file=sys.stderr)
        return 2
    return serve(find_root(start), trusted=args.trust, allowed=args.allow)


def cmd_guard(args: argparse.Namespace) -> int:
    from specls.agents.guard import check_hook, check_staged

    verdict = check_staged(Path(args.root or ".")) if args.staged else check_hook(sys.stdin.read())
    if verdict.stdout:
        print(verdict.stdout)
    if verdict.stderr:
        print(verdict.stderr, file=sys.stderr)
    return verdict.exit_code


def add_agent_commands(sub: Any) -> None:
    p = sub.add_parser("mcp", help="serve the workspace to coding agents over MCP (stdio)")
    p.add_argument("--root", help="workspace directory (default: found from .)")
    p.add_argument(
        "--trust",
        action="store_true",
        help="let `regenerate` run external generators (agent CLIs); tangle always runs",
    )
    p.add_argument(
        "--allow",
        action="append",
        metavar="NAME",
        help="with --trust, only these generators (repeatable)",
    )
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser(
        "guard", help="deny edits of generated files (Claude Code PreToolUse hook, or --staged)"
    )
    p.add_argument(
        "--staged", action="store_true", help="check the git index instead (a pre-commit hook)"
    )
    p.add_argument("--root", help="with --staged: the workspace directory (default: .)")
    p.set_defaults(func=cmd_guard)
