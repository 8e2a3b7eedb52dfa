"""Shared behaviour of the fake agent CLIs (no network, no model).

Each fake parses the argv its real CLI documents, reads the prompt the way
that CLI does, and answers by the output protocol the prompt states:
writing the listed files (files mode) or printing `file=` blocks (markdown
mode). FAKE_AGENT_MODE makes it misbehave:

ok          answer properly
fail        complain on stderr and exit 3
hang        sleep far beyond any timeout
silent      print nothing and write nothing
empty       answer with empty outputs
outside     write next to the staging directory (../escaped.txt)
workspace   write into FAKE_AGENT_TARGET (an absolute path: the real workspace)
undeclared  answer properly, and also write notes/extra.md
huge        emit 51 MB (stdout in markdown mode, one output file in files mode)
symlink     make the first output a symbolic link to FAKE_AGENT_TARGET
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

MARK = "Written by the fake {agent}"


def outputs(prompt: str) -> list[tuple[str, str | None, str]]:
    """(path, symbol, language) for each output the prompt asks for."""
    answer = prompt.split("\n# How to answer\n", 1)[1]
    found: list[tuple[str, str | None, str]] = []
    for m in re.finditer(r"^- ```(\S*) file=([^#\s]+)(?:#(\S+))?$", answer, re.M):
        found.append((m.group(2), m.group(3), m.group(1)))
    for m in re.finditer(r"^- (?:the (\S+) definition in )?(\S+)$", answer, re.M):
        if not m.group(2).startswith("```"):
            found.append((m.group(2), m.group(1), "python"))
    return found


def code_for(agent: str, path: str, symbol: str | None) -> str:
    note = MARK.format(agent=agent)
    if symbol:
        return f'def {symbol}(login: str) -> str:\n    return "{note}: " + login\n'
    return f'"""{note}."""\n\nVALUE = "{agent} ✓"\n'


def check_prompt(prompt: str) -> None:
    if "# Section " not in prompt or "# How to answer" not in prompt:
        print(f"fake agent: not a specls prompt: {prompt[:200]!r}", file=sys.stderr)
        sys.exit(4)


def misbehave_first(agent: str, mode: str) -> None:
    """What happens before any answer."""
    if mode == "fail":
        print("Loading model…", file=sys.stderr)
        print(f"{agent}: error: rate limited (429), try again later", file=sys.stderr)
        sys.exit(3)
    if mode == "hang":
        print("thinking…", file=sys.stderr, flush=True)
        time.sleep(120)
    if mode == "silent":
        sys.exit(0)
    if mode == "outside":
        Path("../escaped.txt").write_text("I got out\n")
    if mode == "workspace":
        Path(os.environ["FAKE_AGENT_TARGET"]).write_text("patched in place\n")


def answer_files(agent: str, prompt: str, mode: str) -> None:
    misbehave_first(agent, mode)
    for i, (path, symbol, _lang) in enumerate(outputs(prompt)):
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "symlink" and i == 0:
            target.unlink(missing_ok=True)
            target.symlink_to(os.environ["FAKE_AGENT_TARGET"])
            continue
        if mode == "huge" and i == 0:
            with target.open("w") as f:
                chunk = "# padding " + "x" * 1013 + "\n"
                for _ in range(51 * 1024):
                    f.write(chunk)
            continue
        text = "" if mode == "empty" else code_for(agent, path, symbol)
        target.write_text(text, encoding="utf-8")
    if mode == "undeclared":
        Path("notes").mkdir(exist_ok=True)
        Path("notes/extra.md").write_text("scratch\n")
    print("Updated the files.")
    print(f"{agent}: done", file=sys.stderr)


def answer_markdown(agent: str, prompt: str, mode: str) -> None:
    misbehave_first(agent, mode)
    if mode == "huge":
        line = "x" * 1023 + "\n"
        out = sys.stdout
        for _ in range(51 * 1024):
            out.write(line)
        out.flush()
        return
    if mode == "undeclared":
        Path("notes").mkdir(exist_ok=True)
        Path("notes/extra.md").write_text("scratch\n")
    print("Here are the files.\n")
    for path, symbol, lang in outputs(prompt):
        target = f"{path}#{symbol}" if symbol else path
        body = "" if mode == "empty" else code_for(agent, path, symbol)
        print(f"```{lang} file={target}\n{body}```\n")


def mode() -> str:
    return os.environ.get("FAKE_AGENT_MODE", "ok")


def usage(agent: str, message: str) -> None:
    print(f"{agent}: {message}", file=sys.stderr)
    sys.exit(2)
