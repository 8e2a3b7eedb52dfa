"""Generators: the built-in `tangle` and external commands (agent CLIs).

An external generator gets the prompt as JSON on stdin (never written to
disk), runs with no shell in a staging directory that holds only what the
spec declares, and either writes the outputs there (`output = "files"`) or
prints Markdown with `file=` blocks (`output = "markdown"`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from specls import code
from specls.config import GeneratorConfig
from specls.dialect.chunk import parse_chunk
from specls.findings import Code
from specls.regen.tangle import GenerationError, blocks_by_key, tangle, unit_blocks
from specls.units import Graph, Unit, owned_sections, subtree
from specls.workspace import Workspace

CancelCheck = Callable[[], bool]
ReadCurrent = Callable[[str], str | None]


class GenerationCancelled(GenerationError):
    pass


def build_prompt(
    ws: Workspace, graph: Graph, unit: Unit, current: ReadCurrent
) -> dict[str, object]:
    """What an agent needs: the section, what it depends on, the current outputs."""
    deps = []
    for ref in graph.closure(unit.ref):
        found = ws.section(ref)
        if found:
            doc, section = found
            deps.append({"ref": ref, "text": "\n".join(s.own_text for s in subtree(doc, section))})
    return {
        "unit": unit.ref,
        "title": unit.title,
        "spec": unit.doc.path,
        "section": "\n".join(s.own_text for s in owned_sections(unit.doc, unit.section)),
        "dependencies": deps,
        "use_files": {f: current(f) for f in sorted(graph.use_files(unit))},
        "outputs": [
            {"key": o.key, "path": o.path, "symbol": o.symbol, "current": current(o.path)}
            for o in unit.outputs
        ],
    }


def run_tangle(unit: Unit, current: ReadCurrent) -> dict[str, str]:
    return tangle(unit, blocks_by_key(unit_blocks(unit), unit.doc.path), current)


def _stage(ws: Workspace, graph: Graph, unit: Unit, staging: Path) -> None:
    paths = set(ws.docs) | {o.path for o in unit.outputs} | graph.use_files(unit)
    for rel in paths:
        src = ws.root / rel
        if src.is_file() and not src.is_symlink():
            dst = staging / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def run_command(
    ws: Workspace,
    graph: Graph,
    unit: Unit,
    name: str,
    config: GeneratorConfig,
    current: ReadCurrent,
    cancelled: CancelCheck,
) -> dict[str, str]:
    prompt = json.dumps(build_prompt(ws, graph, unit, current))
    with tempfile.TemporaryDirectory(prefix="specls-stage-") as tmp:
        staging = Path(tmp)
        _stage(ws, graph, unit, staging)
        argv = [a.replace("{unit}", unit.ref).replace("{staging}", tmp) for a in config.command]
        try:
            proc = subprocess.Popen(
                argv,
                cwd=staging,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, **config.env},
                start_new_session=True,
            )
        except OSError as exc:
            raise GenerationError(f"generator '{name}' cannot start: {exc.strerror}") from None
        stdout, stderr = _communicate(proc, prompt, config.timeout, cancelled, name)
        if proc.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise GenerationError(
                f"generator '{name}' failed (exit {proc.returncode}): " + " | ".join(tail)
            )
        if config.output == "markdown":
            blocks = parse_chunk(stdout.decode("utf-8", "replace").replace("\r\n", "\n"))
            found = blocks_by_key(blocks.code_blocks, unit.doc.path)
            return tangle(unit, found, current)
        return _collect_files(unit, staging, current, name)


def _communicate(
    proc: subprocess.Popen[bytes], prompt: str, timeout: float, cancelled: CancelCheck, name: str
) -> tuple[bytes, bytes]:
    deadline = time.monotonic() + timeout
    data: bytes | None = prompt.encode()
    while True:
        try:
            out, err = proc.communicate(data, timeout=0.2)
            return out, err
        except subprocess.TimeoutExpired:
            data = None
            if cancelled() or time.monotonic() > deadline:
                _kill(proc)
                if cancelled():
                    raise GenerationCancelled(f"generator '{name}' was cancelled") from None
                raise GenerationError(
                    f"generator '{name}' timed out after {timeout:g}s", Code.GENERATOR_TIMEOUT
                ) from None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()


def _collect_files(unit: Unit, staging: Path, current: ReadCurrent, name: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for out in unit.outputs:
        produced = staging / out.path
        if not produced.is_file() or produced.is_symlink():
            raise GenerationError(
                f"generator '{name}' did not write {out.path}", Code.REGEN_OUTPUT_NOT_PRODUCED
            )
        text = produced.read_text(encoding="utf-8", errors="replace")
        if out.symbol is None:
            files[out.path] = text
            continue
        language = code.language_for_path(out.path) or ""
        sym = code.find_symbol(text, language, out.symbol)
        if sym is None:
            raise GenerationError(
                f"generator '{name}' did not define {out.key}", Code.REGEN_OUTPUT_NOT_PRODUCED
            )
        base = files.get(out.path, current(out.path) or "")
        new_sym = code.symbol_text(text, sym)
        if code.find_symbol(base, language, out.symbol) is None:
            files[out.path] = base + ("\n" if base and not base.endswith("\n") else "") + new_sym
        else:
            files[out.path] = code.replace_symbol(base, language, out.symbol, new_sym)
    return files
