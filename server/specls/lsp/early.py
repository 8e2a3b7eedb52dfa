"""Answer `initialize` before the server's stack is imported.

Importing pygls costs most of a trivial pygls server's start (lsprotocol
alone builds about a thousand attrs classes: 0.3–0.4 s on a loaded 2-core
machine), so an editor would wait that long for `initialize` whatever
specls does. This module uses only the standard library: `specls serve`
reads the first message itself and, when it is an ordinary `initialize`,
answers it at once with the capabilities pygls would compute
(`capabilities.py`, generated from the real server by
`python -m specls.lsp.early`). Then it imports the server and replays the
message to pygls, which initializes the session as usual; pygls' own
answer to that request is dropped, after a check that it is the answer
already sent (a warning on stderr if it is not, and
`tests/lsp/test_startup.py` fails).

Anything else (another first message, params that pygls might refuse, the
TCP transport, `SPECLS_EARLY_INITIALIZE=0`) goes to pygls untouched.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any, BinaryIO

from specls import __version__
from specls.lsp.capabilities import CAPABILITIES

ENV_SWITCH = "SPECLS_EARLY_INITIALIZE"  # "0": let pygls answer `initialize` itself


def initialize_result(params: dict[str, Any]) -> dict[str, Any]:
    """What pygls answers to `initialize` with these params, as JSON.

    Two parts depend on the client: `renameProvider` (the spec allows
    `RenameOptions` only when the client declares `prepareSupport`), and
    `willSave`/`willSaveWaitUntil`, false when the client declares them (specls
    handles neither), absent otherwise."""
    caps = json.loads(json.dumps(CAPABILITIES))
    text_document = (params.get("capabilities") or {}).get("textDocument") or {}
    rename = text_document.get("rename") or {}
    caps["renameProvider"] = {"prepareProvider": True} if rename.get("prepareSupport") else True
    sync = text_document.get("synchronization") or {}
    for key in ("willSave", "willSaveWaitUntil"):
        if sync.get(key) is not None:
            caps["textDocumentSync"][key] = False
    return {"capabilities": caps, "serverInfo": {"name": "specls", "version": __version__}}


def _ordinary(message: Any) -> bool:
    """An `initialize` request whose params pygls reads without complaint (the
    top-level fields have their types; anything unusual is left to pygls)."""
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return False
    msg_id = message.get("id")
    if isinstance(msg_id, bool) or not isinstance(msg_id, int | str):
        return False
    params = message.get("params")
    if not isinstance(params, dict) or not isinstance(params.get("capabilities"), dict):
        return False
    if "processId" not in params:
        return False
    pid = params["processId"]
    if pid is not None and (isinstance(pid, bool) or not isinstance(pid, int)):
        return False
    for key in ("rootUri", "rootPath", "locale"):
        if params.get(key) is not None and not isinstance(params[key], str):
            return False
    if params.get("trace") not in (None, "off", "messages", "verbose"):
        return False
    info = params.get("clientInfo")
    if info is not None and not (isinstance(info, dict) and isinstance(info.get("name"), str)):
        return False
    folders = params.get("workspaceFolders")
    return folders is None or (
        isinstance(folders, list)
        and all(
            isinstance(f, dict) and isinstance(f.get("uri"), str) and isinstance(f.get("name"), str)
            for f in folders
        )
    )


def _frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(stdin: BinaryIO) -> tuple[bytes, Any]:
    """The first message's raw bytes (headers and body) and its JSON (None if unreadable)."""
    raw = b""
    length: int | None = None
    while True:
        line = stdin.readline()
        raw += line
        if not line:
            return raw, None  # end of input
        if not line.strip():
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return raw, None
    if length is None:
        return raw, None
    body = stdin.read(length)
    raw += body
    try:
        return raw, json.loads(body)
    except ValueError:
        return raw, None


class Replay:
    """stdin for pygls: the bytes already read first, then the real stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = io.BytesIO(head)
        self._rest = rest

    def readline(self, size: int | None = -1) -> bytes:
        line = self._head.readline()
        if line.endswith(b"\n") or self._head.tell() < len(self._head.getbuffer()):
            return line
        return line + self._rest.readline()

    def read(self, size: int | None = -1) -> bytes:
        data = self._head.read(size if size is not None else -1)
        if size is None or size < 0:
            return data + self._rest.read()
        if len(data) < size:
            data += self._rest.read(size - len(data))
        return data


class DropAnswer:
    """stdout for pygls: drops its answer to the request already answered, once."""

    def __init__(self, out: BinaryIO, msg_id: int | str, sent: dict[str, Any]) -> None:
        self._out = out
        self._id: int | str | None = msg_id
        self._sent = sent

    def write(self, data: bytes) -> int:
        if self._id is not None:
            _, _, body = data.partition(b"\r\n\r\n")
            try:
                message = json.loads(body)
            except ValueError:
                message = None
            if (
                isinstance(message, dict)
                and message.get("id") == self._id
                and "method" not in message
            ):
                self._id = None
                if message.get("result") != self._sent:
                    print(
                        "specls: WARNING the early initialize answer differs from the server's:"
                        f" sent {json.dumps(self._sent, sort_keys=True)},"
                        f" server {json.dumps(message, sort_keys=True)}"
                        " (regenerate specls/lsp/capabilities.py: python -m specls.lsp.early)",
                        file=sys.stderr,
                        flush=True,
                    )
                return len(data)
        self._out.write(data)
        self._out.flush()
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        self._out.close()


def answer_initialize(stdin: BinaryIO, stdout: BinaryIO) -> tuple[BinaryIO, BinaryIO | DropAnswer]:
    """Read the first message; answer it if it is an ordinary `initialize`.

    Returns the streams pygls must use: the first message replayed, and
    stdout without pygls' second answer."""
    if os.environ.get(ENV_SWITCH, "1") == "0":
        return stdin, stdout
    raw, message = _read_message(stdin)
    replay: BinaryIO = Replay(raw, stdin)  # type: ignore[assignment]
    if not _ordinary(message):
        return replay, stdout
    result = initialize_result(message["params"])
    answer = {"jsonrpc": "2.0", "id": message["id"], "result": result}
    stdout.write(_frame(json.dumps(answer).encode()))
    stdout.flush()
    return replay, DropAnswer(stdout, message["id"], result)


def _generate() -> str:
    """capabilities.py from the real server's answer (pygls computes it; early answer off)."""
    import pprint
    import subprocess

    params: dict[str, Any] = {"processId": None, "rootUri": None, "capabilities": {}}
    request = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}
    exit_ = {"jsonrpc": "2.0", "method": "exit"}
    data = b"".join(_frame(json.dumps(m).encode()) for m in (request, exit_))
    proc = subprocess.run(
        [sys.executable, "-m", "specls", "serve"],
        input=data,
        capture_output=True,
        env={**os.environ, ENV_SWITCH: "0"},
        timeout=60,
        check=False,
    )
    _, message = _read_message(io.BytesIO(proc.stdout))
    caps = message["result"]["capabilities"]
    caps.pop("renameProvider", None)  # per client: see initialize_result
    return (
        '"""The server capabilities pygls computes from `routes.py`, for `early.py`.\n\n'
        "Generated by `python -m specls.lsp.early` (then `ruff format` it);\n"
        "`tests/lsp/test_startup.py` compares them with the running server's answer.\n"
        'Do not edit by hand."""\n\n'
        "from typing import Any\n\n"
        f"CAPABILITIES: dict[str, Any] = {pprint.pformat(caps, sort_dicts=True)}\n"
    )


if __name__ == "__main__":
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "capabilities.py")
    text = _generate()
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {target}")
