"""The one error guard of requests, notifications and commands.

- Before `initialize`, a request is answered `ServerNotInitialized` (-32002)
  and a notification is dropped: nothing runs against a session with no
  client capabilities or roots.
- A refusal the user can act on (`UserError`, a refused write, a failed
  generator) is shown to the user and answered as `InvalidParams` with the
  same message.
- A bug is logged with its traceback, shown as one readable line, and
  answered `InternalError` carrying that line: never a bare error, never a
  dead server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcServerNotInitialized,
)

from specls.regen.tangle import GenerationError
from specls.regen.transaction import TransactionError
from specls.service import WriteRefused

if TYPE_CHECKING:
    from collections.abc import Callable

    from specls.lsp.server import Server

log = logging.getLogger(__name__)

_BEFORE_INIT_OK = {types.INITIALIZE, types.SHUTDOWN, types.EXIT}


class UserError(Exception):
    """A refusal with a message for the user (bad argument, nothing to do here…)."""


_USER_ERRORS = (UserError, WriteRefused, GenerationError, TransactionError)


def _refuse(server: Server, message: str, show: bool) -> JsonRpcInvalidParams:
    if show:
        server.client.show_message(types.MessageType.Error, message)
    return JsonRpcInvalidParams(message)


def _bug(server: Server, what: str, exc: BaseException, show: bool) -> JsonRpcInternalError:
    log.error("%s failed", what, exc_info=exc)
    message = f"specls: {what} failed: {type(exc).__name__}: {exc} (details in the server log)"
    if show:
        server.client.show_message(types.MessageType.Error, message)
    return JsonRpcInternalError(message)


async def _answer(
    server: Server, what: str, handler: Callable[[Server, Any], Any], arg: Any, show: bool
) -> Any:
    """Run a request or command handler; every failure becomes an answer with a message."""
    try:
        result = handler(server, arg)
        return await result if asyncio.iscoroutine(result) else result
    except JsonRpcException:
        raise
    except _USER_ERRORS as exc:
        raise _refuse(server, str(exc), show) from exc
    except Exception as exc:
        raise _bug(server, what, exc, show) from exc


async def guard_request(
    server: Server, method: str, handler: Callable[[Server, Any], Any], params: Any
) -> Any:
    if not server.session.initialized and method not in _BEFORE_INIT_OK:
        raise JsonRpcServerNotInitialized(f"{method} before initialize")
    return await _answer(server, method, handler, params, show=False)


def guard_notification(
    server: Server, method: str, handler: Callable[[Server, Any], Any], params: Any
) -> Any:
    """Notifications have no answer: a failure is logged, and the session goes on."""
    if not server.session.initialized and method != types.INITIALIZED:
        log.warning("%s before initialize: ignored", method)
        return None
    try:
        result = handler(server, params)
    except Exception as exc:
        log.error("%s failed", method, exc_info=exc)
        return None
    if asyncio.iscoroutine(result):
        return _logged(method, result)
    return None


async def _logged(method: str, coro: Any) -> None:
    try:
        await coro
    except Exception as exc:
        log.error("%s failed", method, exc_info=exc)


def command_arg(args: Sequence[Any] | None, key: str = "unit") -> dict[str, Any]:
    """The single object argument of a command; a bare string stands for `{key: string}`."""
    if args and isinstance(args[0], dict):
        return args[0]
    if args and isinstance(args[0], str):
        return {key: args[0]}
    return {}


async def guard_command(
    server: Server,
    name: str,
    handler: Callable[[Server, dict[str, Any]], Any],
    args: Sequence[Any] | None,
) -> Any:
    """A command's refusals and failures are shown to the user as well as answered."""
    if not server.session.initialized:
        raise JsonRpcServerNotInitialized(f"{name} before initialize")
    task = asyncio.current_task()
    if task is not None:
        server.session.jobs.add(task)
    key = "section" if name == "specls.openSection" else "unit"
    try:
        return await _answer(server, name, handler, command_arg(args, key), show=True)
    finally:
        if task is not None:
            server.session.jobs.discard(task)
