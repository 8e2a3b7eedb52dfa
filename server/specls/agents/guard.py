"""`specls guard`: stop agents (and people) from patching generated code.

As a Claude Code `PreToolUse` hook it reads the hook's JSON on stdin
(`tool_name`, `tool_input.file_path`, `cwd`) and, for an Edit/Write/MultiEdit
of a file a section generates, answers with the documented denial: exit 0
and `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
"permissionDecision": "deny", "permissionDecisionReason": …}}` on stdout; the
reason goes to the agent and tells it to change the spec and regenerate.
Specs and hand-written files pass (exit 0, no output). A hand-written file
that holds a generated symbol passes with a warning (`systemMessage`)
naming the symbol.

`specls guard --staged` is the same rule as a git pre-commit check: a
staged output whose content differs from what the lock recorded (an edit
by hand) fails the commit, with the same message.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specls import code
from specls.agents import library
from specls.lock import LOCK_NAME, Lock, LockError, parse_lock
from specls.outputs import whole_file_hash

EDIT_TOOLS = {"Edit", "Write", "MultiEdit"}


@dataclass(frozen=True)
class Verdict:
    exit_code: int
    stdout: str = ""
    stderr: str = ""


def _regen_hint(ref: str) -> str:
    return f"specls regen {ref.split('#', 1)[1] if '#' in ref else ref}"


def generated_message(rel: str, ref: str) -> str:
    return f"{rel} is generated from {ref}: change the spec and run `{_regen_hint(ref)}`"


def check_hook(raw: str) -> Verdict:
    """The answer to one PreToolUse event."""
    try:
        event = json.loads(raw)
    except json.JSONDecodeError as exc:
        return Verdict(1, stderr=f"specls guard: the hook input is not JSON: {exc}")
    if not isinstance(event, dict):
        return Verdict(1, stderr="specls guard: the hook input is not a JSON object")
    if event.get("tool_name") not in EDIT_TOOLS:
        return Verdict(0)
    tool_input = event.get("tool_input")
    file_path = tool_input.get("file_path") if isinstance(tool_input, dict) else None
    if not isinstance(file_path, str) or not file_path:
        return Verdict(0)
    cwd = Path(event["cwd"]) if isinstance(event.get("cwd"), str) else Path.cwd()
    target = Path(file_path) if Path(file_path).is_absolute() else cwd / file_path
    if not library.is_specls_root(target.parent if target.parent.exists() else cwd):
        return Verdict(0)  # not a specls workspace: nothing to guard, and no cost
    service = library.open_service(target.parent if target.parent.exists() else cwd)
    ws = library.workspace(service)
    rel = library.relative(ws, str(target))
    if rel is None or rel in ws.docs:
        return Verdict(0)
    owners = [o for o in library.owners(ws, rel) if o.role != "describe"]
    whole = [o for o in owners if o.symbol is None]
    if whole:
        reason = generated_message(rel, whole[0].ref)
        return Verdict(0, stdout=json.dumps(_deny(reason)))
    if owners:
        symbols = ", ".join(f"{o.symbol} (from {o.ref})" for o in owners)
        message = (
            f"{rel} is hand-written but holds generated code: {symbols}. Change those in"
            f" the spec and run `{_regen_hint(owners[0].ref)}`; the rest of the file is yours."
        )
        return Verdict(0, stdout=json.dumps({"systemMessage": message}))
    return Verdict(0)


def _deny(reason: str) -> dict[str, Any]:
    return {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    }


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)


def check_staged(start: Path) -> Verdict:
    """The pre-commit check: staged outputs must be what the (staged) lock recorded."""
    top = _git(start, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return Verdict(2, stderr="specls guard --staged: not inside a git repository")
    if not library.is_specls_root(start):
        return Verdict(0)
    service = library.open_service(start)
    ws = library.workspace(service)
    git_root = Path(top.stdout.decode().strip()).resolve()
    names = _git(git_root, "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z")
    staged: dict[str, str] = {}  # workspace path -> path in the repository
    for name in filter(None, names.stdout.decode("utf-8", "replace").split("\0")):
        rel = library.relative(ws, str(git_root / name))
        if rel is not None:
            staged[rel] = name
    lock = _staged_lock(ws.root, git_root, staged) or ws.lock or Lock()
    problems: list[str] = []
    for rel, name in sorted(staged.items()):
        if rel in ws.docs:
            continue
        blob = _git(git_root, "show", f":{name}")
        if blob.returncode != 0:
            continue
        for owner in library.owners(ws, rel):
            if owner.role == "describe":
                continue
            entry = lock.units.get(owner.ref)
            locked = entry.outputs.get(owner.key) if entry else None
            now: str | None
            if owner.symbol is None:
                now = whole_file_hash(blob.stdout)
            else:
                text = blob.stdout.decode("utf-8", "replace")
                now = code.symbol_hash(text, code.language_for_path(rel) or "", owner.symbol)
            if now is None or now == locked:
                continue
            what = rel if owner.symbol is None else f"{owner.symbol} in {rel}"
            problems.append(
                f"specls guard: {generated_message(what, owner.ref)} (it was edited by hand)"
            )
    if problems:
        return Verdict(1, stderr="\n".join(problems))
    return Verdict(0)


def _staged_lock(root: Path, git_root: Path, staged: dict[str, str]) -> Lock | None:
    if LOCK_NAME not in staged:
        return None
    blob = _git(git_root, "show", f":{staged[LOCK_NAME]}")
    try:
        return parse_lock(root / LOCK_NAME, blob.stdout.decode("utf-8", "replace"))
    except LockError:
        return None
