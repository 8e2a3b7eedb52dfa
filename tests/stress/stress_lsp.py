"""A synchronous raw JSON-RPC client for `specls serve`, for the stress tests.

The stress tests treat the server as a black box: a subprocess speaking LSP
over stdio. This client is deliberately independent of pygls so it can send
what a real editor sends (pipelined requests, cancellations, out-of-range
positions) and observe exactly what comes back: every response, every
`publishDiagnostics`, and whether the process is still alive.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from lsprotocol.converters import get_converter
from pygls.uris import from_fs_path
from pytest_lsp import client_capabilities

Json = Any


def uri(path: Path) -> str:
    result = from_fs_path(str(path))
    assert result is not None
    return result


def vscode_capabilities() -> Json:
    """The capabilities VS Code declares (pytest-lsp's recorded profile), as JSON."""
    return get_converter().unstructure(client_capabilities("visual_studio_code"))


class ServerDied(AssertionError):
    pass


class NoAnswer(AssertionError):
    pass


class LspProcess:
    """One `python -m specls serve` process and the client side of its stdio pipe."""

    def __init__(
        self,
        root: Path,
        *,
        settings: Json | None = None,
        capabilities: Json | None = None,
        stderr_path: Path | None = None,
        answer: Callable[[str, Json], Json] | None = None,
    ) -> None:
        self.root = root
        self.settings = settings if settings is not None else {"trusted": True}
        self.capabilities = capabilities if capabilities is not None else vscode_capabilities()
        self.answer = answer  # optional override for server→client requests
        self._stderr: IO[bytes] = (
            open(stderr_path, "wb")  # noqa: SIM115 (closed in close())
            if stderr_path
            else open(os.devnull, "wb")  # noqa: SIM115
        )
        self.stderr_path = stderr_path
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "specls", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=root,
        )
        self._write_lock = threading.Lock()
        self._cond = threading.Condition()
        self._next_id = 0
        self.responses: dict[int, Json] = {}
        self.diagnostics: dict[str, Json] = {}  # uri -> last publishDiagnostics params
        self.publish_count = 0
        self.last_publish = time.monotonic()
        self.notifications: list[tuple[float, str, Json]] = []  # (received, method, params)
        self.server_requests: list[tuple[str, Json]] = []
        self.protocol_errors: list[str] = []
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # --- wire ---------------------------------------------------------------------------

    def _send(self, message: Json) -> None:
        body = json.dumps(message).encode("utf-8")
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        stdin = self.proc.stdin
        assert stdin is not None
        with self._write_lock:
            try:
                stdin.write(data)
                stdin.flush()
            except (BrokenPipeError, ValueError, OSError) as exc:
                raise ServerDied(f"cannot write to the server: {exc}; {self.exit_note()}") from None

    def _read_message(self, stream: IO[bytes]) -> Json | None:
        length = None
        while True:
            line = stream.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length is None:
            self.protocol_errors.append("a message without Content-Length")
            return {}
        body = stream.read(length)
        if len(body) < length:
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            self.protocol_errors.append(f"invalid JSON from the server: {exc}: {body[:200]!r}")
            return {}

    def _read_loop(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            message = self._read_message(stream)
            if message is None:
                break
            if not message:
                continue
            method = message.get("method")
            if method is None:  # a response
                with self._cond:
                    self.responses[message.get("id")] = message
                    self._cond.notify_all()
            elif "id" in message:  # a request from the server
                self.server_requests.append((method, message.get("params")))
                result = self._answer(method, message.get("params"))
                with contextlib.suppress(ServerDied):
                    self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            else:
                with self._cond:
                    if method == "textDocument/publishDiagnostics":
                        self.diagnostics[message["params"]["uri"]] = message["params"]
                        self.publish_count += 1
                        self.last_publish = time.monotonic()
                    else:
                        self.notifications.append((time.monotonic(), method, message.get("params")))
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _answer(self, method: str, params: Json) -> Json:
        """What an editor answers to the server's own requests."""
        if self.answer is not None:
            return self.answer(method, params)
        if method == "workspace/configuration":
            return [self.settings for _ in params.get("items", [])]
        if method == "workspace/applyEdit":
            return {"applied": True}
        if method == "window/showDocument":
            return {"success": True}
        return None

    # --- API ----------------------------------------------------------------------------

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exit_note(self) -> str:
        code = self.proc.poll()
        tail = ""
        if self.stderr_path is not None:
            self._stderr.flush()
            with contextlib.suppress(OSError):
                tail = self.stderr_path.read_text("utf-8", "replace")[-3000:]
        state = "running" if code is None else f"exited with {code}"
        return f"server {state}; stderr tail:\n{tail}"

    def notification_times(self, method: str) -> list[float]:
        with self._cond:
            return [t for t, m, _ in self.notifications if m == method]

    def notify(self, method: str, params: Json) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def send_request(self, method: str, params: Json) -> int:
        with self._cond:
            self._next_id += 1
            rid = self._next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def wait_response(self, rid: int, timeout: float) -> Json:
        """The response to request `rid` (a dict with `result` or `error`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while rid not in self.responses:
                if not self.alive():
                    raise ServerDied(f"the server died before answering #{rid}; {self.exit_note()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoAnswer(f"no answer to request #{rid} within {timeout} s")
                self._cond.wait(min(left, 0.2))
            return self.responses.pop(rid)

    def request(self, method: str, params: Json, timeout: float = 20.0) -> Json:
        return self.wait_response(self.send_request(method, params), timeout)

    def result(self, method: str, params: Json, timeout: float = 20.0) -> Json:
        """The result of a request that must succeed."""
        response = self.request(method, params, timeout)
        assert "error" not in response, f"{method} failed: {response['error']}"
        return response.get("result")

    def initialize(self, timeout: float = 30.0) -> Json:
        root_uri = uri(self.root)
        result = self.result(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "capabilities": self.capabilities,
                "workspaceFolders": [{"uri": root_uri, "name": self.root.name}],
                "initializationOptions": self.settings,
                "clientInfo": {"name": "specls-stress"},
            },
            timeout,
        )
        self.notify("initialized", {})
        return result

    def wait_quiet(self, quiet: float, timeout: float) -> None:
        """Wait until no diagnostics were published for `quiet` seconds (debounce settled)."""
        deadline = time.monotonic() + timeout
        start = time.monotonic()
        with self._cond:
            while True:
                now = time.monotonic()
                since = now - max(self.last_publish, start)
                if since >= quiet:
                    return
                if now > deadline:
                    raise NoAnswer(f"diagnostics still changing after {timeout} s")
                if not self.alive():
                    raise ServerDied(f"the server died; {self.exit_note()}")
                self._cond.wait(quiet - since)

    def close(self, timeout: float = 10.0) -> int | None:
        """shutdown + exit; kill the process if it does not go. Returns its exit code."""
        try:
            if self.alive():
                with contextlib.suppress(AssertionError):
                    self.request("shutdown", None, timeout)
                with contextlib.suppress(ServerDied):
                    self.notify("exit", None)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            for pipe in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError):
                    if pipe is not None:
                        pipe.close()
            self._stderr.close()
        self._reader.join(5)
        return self.proc.returncode

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
        self.close(timeout=5)
