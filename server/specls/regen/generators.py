"""Generators: the built-in `tangle` and external commands (agent CLIs).

An external generator gets the prompt on stdin (JSON, or plain text for
agent CLIs; never written to disk), runs with no shell in a staging
directory that holds only what the spec declares, and either writes the
outputs there (`output = "files"`) or prints Markdown with `file=` blocks
(`output = "markdown"`).

What a misbehaving agent does is caught here, before anything reaches the
workspace: a non-zero exit (with its code, last stderr lines and the time
it ran), silence, more than `MAX_OUTPUT` bytes, files written next to the
staging directory or into the workspace itself, and files nobody asked for
(reported, then ignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from specls import code
from specls.config import GeneratorConfig
from specls.dialect import CodeBlock
from specls.dialect.chunk import parse_chunk
from specls.findings import Code
from specls.regen.presets import find_program
from specls.regen.prompt import prompt_data, prompt_text
from specls.regen.tangle import GenerationError, blocks_by_key, tangle, unit_blocks
from specls.units import Graph, Unit
from specls.workspace import Workspace, resolve_path

CancelCheck = Callable[[], bool]
ReadCurrent = Callable[[str], str | None]
OnLine = Callable[[str], None]  # the generator's latest stderr line, for progress

MAX_OUTPUT = 50 * 1024 * 1024  # stdout, or one output file: more is an error, not a file
STDERR_TAIL = 64 * 1024  # what is kept of stderr for the failure message
TAIL_LINES = 5
MAX_ARG = 128 * 1024 - 1  # Linux MAX_ARG_STRLEN: the longest single argv element


class GenerationCancelled(GenerationError):
    pass


@dataclass
class Generated:
    files: dict[str, str]  # path -> new full text
    warnings: list[tuple[Code, str]] = field(default_factory=list)


def build_prompt(
    ws: Workspace, graph: Graph, unit: Unit, current: ReadCurrent
) -> dict[str, object]:
    """The JSON prompt (kept for callers of the earlier API; see `regen.prompt`)."""
    return prompt_data(ws, graph, unit, current)


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


Snapshot = dict[str, tuple[int, int]]  # path -> (size, mtime_ns)


def _snapshot(root: Path) -> Snapshot:
    """Every file under `root` by (size, mtime): what the generator changed shows up."""
    out: Snapshot = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            try:
                st = p.lstat()
            except OSError:
                continue
            out[p.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def _tracked(ws: Workspace, graph: Graph) -> Snapshot:
    """The workspace files specls reads (specs, outputs, `@use` files, lock, config)."""
    paths = set(ws.docs) | {"spec.lock", "specls.toml", "pyproject.toml"}
    for u in graph.units.values():
        paths.update(o.path for o in u.outputs)
        paths.update(graph.use_files(u))
    out: Snapshot = {}
    for rel in paths:
        try:
            st = (ws.root / rel).lstat()
        except OSError:
            out[rel] = (-1, -1)
            continue
        out[rel] = (st.st_size, st.st_mtime_ns)
    return out


def _changed(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def _some(paths: list[str], n: int = 5) -> str:
    more = f" and {len(paths) - n} more" if len(paths) > n else ""
    return ", ".join(paths[:n]) + more


def _argv(config: GeneratorConfig, unit: Unit, staging: str, text: str, name: str) -> list[str]:
    argv: list[str] = []
    for a in config.command:
        if a == "{outputs}":
            argv.extend(dict.fromkeys(o.path for o in unit.outputs))
            continue
        if "{prompt}" in a:
            if len(text.encode()) > MAX_ARG:
                raise GenerationError(
                    f"generator '{name}': the prompt ({len(text.encode()) // 1024} KiB) is too"
                    " long for a command-line argument; use a generator that reads stdin"
                )
            a = a.replace("{prompt}", text)
        argv.append(a.replace("{unit}", unit.ref).replace("{staging}", staging))
    return argv


def run_command(
    ws: Workspace,
    graph: Graph,
    unit: Unit,
    name: str,
    config: GeneratorConfig,
    current: ReadCurrent,
    cancelled: CancelCheck,
    on_line: OnLine = lambda line: None,
) -> Generated:
    data = prompt_data(ws, graph, unit, current, config.output)
    text = prompt_text(data)
    stdin = {"json": json.dumps(data), "text": text, "none": ""}[config.stdin]
    env = {**os.environ, **config.env}
    with tempfile.TemporaryDirectory(prefix="specls-run-") as private:
        staging = Path(private) / "stage"
        staging.mkdir()
        _stage(ws, graph, unit, staging)
        argv = _argv(config, unit, str(staging), text, name)
        argv[0] = find_program(name, argv, env)
        env["PWD"] = str(staging)  # no hint of where the workspace is
        env.pop("OLDPWD", None)
        staged = _snapshot(staging)
        tracked = _tracked(ws, graph)
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=staging,
                stdin=subprocess.PIPE if config.stdin != "none" else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise GenerationError(f"generator '{name}' cannot start: {exc.strerror}") from None
        pipes = _Pipes(proc, stdin.encode() if config.stdin != "none" else None, on_line)
        _wait(proc, pipes, config.timeout, cancelled, name)
        elapsed = f"after {time.monotonic() - started:.1f}s"
        if pipes.too_big:
            raise GenerationError(
                f"generator '{name}' printed more than {MAX_OUTPUT // 2**20} MB; it was stopped"
                f" ({elapsed})",
                Code.GENERATOR_OUTPUT_TOO_LARGE,
            )
        if proc.returncode != 0:
            tail = pipes.stderr_tail()
            raise GenerationError(
                f"generator '{name}' failed (exit {proc.returncode}): "
                + (" | ".join(tail) if tail else "(no output on stderr)")
                + f" ({elapsed})"
            )
        outside = sorted(p.name for p in Path(private).iterdir() if p.name != "stage")
        if outside:
            raise GenerationError(
                f"generator '{name}' wrote outside its staging directory (next to it:"
                f" {_some(outside)}); nothing was taken from it",
                Code.GENERATOR_WROTE_OUTSIDE,
            )
        touched = _changed(tracked, _tracked(ws, graph))
        if touched:
            raise GenerationError(
                f"files in the workspace changed while generator '{name}' ran: {_some(touched)}"
                " (it wrote outside its staging directory, or someone else did meanwhile);"
                " nothing was taken from it",
                Code.GENERATOR_WROTE_OUTSIDE,
            )
        declared = {o.path for o in unit.outputs}
        undeclared = [p for p in _changed(staged, _snapshot(staging)) if p not in declared]
        warnings = []
        if undeclared:
            warnings.append(
                (
                    Code.GENERATOR_UNDECLARED_FILES,
                    f"generator '{name}' wrote files it was not asked for (ignored):"
                    f" {_some(undeclared)}",
                )
            )
        if config.output == "markdown":
            out = pipes.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
            if not out.strip():
                raise GenerationError(
                    f"generator '{name}' printed nothing ({elapsed})",
                    Code.GENERATOR_EMPTY_OUTPUT,
                )
            files = tangle(unit, _agent_blocks(parse_chunk(out).code_blocks, unit), current)
        else:
            files = _collect_files(unit, staging, current, name)
        empty = sorted(p for p, t in files.items() if not t.strip())
        if empty:
            raise GenerationError(
                f"generator '{name}' produced an empty {_some(empty)}; an empty output is"
                " an error, not an empty file",
                Code.GENERATOR_EMPTY_OUTPUT,
            )
        return Generated(files, warnings)


def _agent_blocks(blocks: Iterable[CodeBlock], unit: Unit) -> dict[str, list[str]]:
    """Blocks by output key; `file=` is workspace-relative (what the prompt asks for) or,
    like in a spec, relative to the spec file: whichever names a declared output."""
    declared = {o.key for o in unit.outputs}
    found: dict[str, list[str]] = {}
    for block in blocks:
        if not block.file:
            continue
        path, _, fragment = block.file.partition("#")
        keys = [
            f"{p}#{fragment}" if fragment else p
            for p in (resolve_path("", path), resolve_path(unit.doc.path, path))
            if p is not None
        ]
        key = next((k for k in keys if k in declared), None)
        if key is not None:
            found.setdefault(key, []).append(block.content)
    return found


class _Pipes:
    """Feeds stdin and drains stdout (capped) and stderr (its tail) in threads.

    `communicate()` would hold all of a runaway agent's output in memory and
    gives no line to show while the agent works.
    """

    def __init__(self, proc: subprocess.Popen[bytes], data: bytes | None, on_line: OnLine):
        self.proc = proc
        self.stdout = bytearray()
        self.too_big = False
        self._err = bytearray()
        self._on_line = on_line
        self.threads = [
            threading.Thread(target=self._read_out, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        if data is not None:
            self.threads.append(threading.Thread(target=self._write, args=(data,), daemon=True))
        for t in self.threads:
            t.start()

    def _write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
        except (BrokenPipeError, OSError):
            pass
        finally:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for chunk in _chunks(self.proc.stdout):
            if len(self.stdout) + len(chunk) > MAX_OUTPUT:
                self.too_big = True
                _kill(self.proc)
                return
            self.stdout += chunk

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for chunk in _chunks(self.proc.stderr):
            self._err += chunk
            if len(self._err) > 2 * STDERR_TAIL:
                del self._err[:-STDERR_TAIL]
            lines = self.stderr_tail(1)
            if lines:
                self._on_line(lines[-1])

    def stderr_tail(self, n: int = TAIL_LINES) -> list[str]:
        text = bytes(self._err[-STDERR_TAIL:]).decode("utf-8", "replace").replace("\r", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()][-n:]

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=5)


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            chunk = read(65536)
        except (OSError, ValueError):
            return
        if not chunk:
            return
        yield chunk


def _wait(
    proc: subprocess.Popen[bytes], pipes: _Pipes, timeout: float, cancelled: CancelCheck, name: str
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            pass
        if pipes.too_big:
            break
        if cancelled() or time.monotonic() > deadline:
            _kill(proc)
            pipes.join()
            if cancelled():
                raise GenerationCancelled(f"generator '{name}' was cancelled") from None
            raise GenerationError(
                f"generator '{name}' timed out after {timeout:g}s", Code.GENERATOR_TIMEOUT
            ) from None
    _kill(proc)  # what it left running in its process group goes too
    pipes.join()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        if proc.poll() is None:
            proc.kill()
    proc.wait()


def _collect_files(unit: Unit, staging: Path, current: ReadCurrent, name: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for out in unit.outputs:
        produced = staging / out.path
        if produced.is_symlink():
            raise GenerationError(
                f"generator '{name}' made {out.path} a symbolic link to"
                f" {os.readlink(produced)}; outputs must be files in the staging directory",
                Code.GENERATOR_WROTE_OUTSIDE,
            )
        if produced.is_file() and produced.stat().st_size > MAX_OUTPUT:
            raise GenerationError(
                f"generator '{name}' wrote {out.path} larger than {MAX_OUTPUT // 2**20} MB",
                Code.GENERATOR_OUTPUT_TOO_LARGE,
            )
        if not produced.is_file():
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
