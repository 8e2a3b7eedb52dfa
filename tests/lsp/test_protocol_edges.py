"""The raw protocol at its edges: requests before `initialize`, positions outside
the unsigned range, `exit` with and without `shutdown`. Every request is answered."""

from __future__ import annotations

import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from lsp_helpers import frame, initialize_message, split_frame, uri


class Raw:
    """A server process spoken to in JSON-RPC frames."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "specls", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()

    def _read_frame(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            message, self.buffer = split_frame(self.buffer)
            if message is not None:
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise AssertionError("no answer from the server")
            chunk = self.proc.stdout.read1(65536)  # type: ignore[attr-defined]
            if not chunk:
                raise AssertionError("the server closed its output")
            self.buffer += chunk

    def answer(self, msg_id: int, timeout: float = 20) -> dict[str, Any]:
        """The response to request `msg_id` (skipping notifications and requests)."""
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_frame(deadline)
            if message.get("id") == msg_id and "method" not in message:
                return message

    def initialize(self, root: Path) -> dict[str, Any]:
        """`initialize` (its result) then `initialized`: the session every test starts with."""
        self.send(initialize_message(root))
        result = self.answer(1)["result"]
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def _hover(msg_id: int, path: Path, line: int, character: int) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "textDocument/hover",
        "params": {
            "textDocument": {"uri": uri(path)},
            "position": {"line": line, "character": character},
        },
    }


def test_a_request_before_initialize_is_answered_32002(shop: Path) -> None:
    raw = Raw()
    try:
        raw.send(_hover(7, shop / "specs/auth.spec.md", 0, 0))
        assert raw.answer(7)["error"]["code"] == -32002
        assert "capabilities" in raw.initialize(shop)
        raw.send(_hover(8, shop / "specs/auth.spec.md", 0, 2))
        assert "error" not in raw.answer(8)  # later requests for the root do not hang
    finally:
        raw.close()


@pytest.mark.parametrize(("line", "character"), [(-1, 0), (0, 2**31), (2**32, 0)])
def test_a_position_outside_the_unsigned_range_is_invalid_params(
    shop: Path,
    line: int,
    character: int,
) -> None:
    raw = Raw()
    try:
        raw.initialize(shop)
        raw.send(_hover(2, shop / "specs/auth.spec.md", line, character))
        assert raw.answer(2)["error"]["code"] == -32602
        raw.send(_hover(3, shop / "specs/auth.spec.md", 0, 2))
        assert "error" not in raw.answer(3)
    finally:
        raw.close()


@pytest.mark.parametrize(("shutdown", "code"), [(True, 0), (False, 1)])
def test_exit_code_says_whether_shutdown_came_first(
    shop: Path,
    shutdown: bool,
    code: int,
) -> None:
    raw = Raw()
    try:
        raw.initialize(shop)
        if shutdown:
            raw.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
            raw.answer(2)
        raw.send({"jsonrpc": "2.0", "method": "exit", "params": None})
        assert raw.proc.wait(timeout=20) == code
    finally:
        raw.close()
