"""What the server asks of the editor, as one small interface.

Handlers and commands talk to the editor only through `Client`, so the whole
server runs in-process in tests against a fake that records what it was
asked (`tests/lsp_inprocess`), and over JSON-RPC through `PyglsClient`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Protocol

from lsprotocol import types
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


class Progress(Protocol):
    """One work-done progress: begin, reports, end; cancellable by the user."""

    async def begin(self) -> None: ...

    def report(self, message: str, percentage: int) -> None: ...

    def end(self, message: str) -> None: ...

    def cancelled(self) -> bool: ...


class Client(Protocol):
    def show_message(self, kind: types.MessageType, message: str) -> None: ...

    async def show_message_request(
        self, kind: types.MessageType, message: str, actions: list[str]
    ) -> str | None:
        """`window/showMessageRequest`: the title of the action chosen, None if dismissed."""
        ...

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> bool: ...

    async def show_document(self, params: types.ShowDocumentParams) -> bool: ...

    def publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None: ...

    def notify(self, method: str, params: Any) -> None: ...

    def progress(self, title: str, cancellable: bool = True) -> Progress: ...

    async def configuration(self, section: str) -> Any: ...

    def refresh_code_lens(self) -> None: ...

    async def register(self, registration: types.Registration) -> None: ...

    async def unregister(self, unregistration: types.Unregistration) -> None: ...


class _PyglsProgress:
    """Work-done progress when the client supports it; silent otherwise."""

    def __init__(
        self, ls: LanguageServer, title: str, enabled: bool, cancellable: bool = True
    ) -> None:
        self.ls = ls
        self.title = title
        self.cancellable = cancellable
        self.token = f"specls-{uuid.uuid4()}"
        self.enabled = enabled
        self._cancel: Any = None

    async def begin(self) -> None:
        if not self.enabled:
            return
        try:
            await self.ls.work_done_progress.create_async(self.token)
        except Exception as exc:
            log.info("progress unavailable: %s", exc)
            self.enabled = False
            return
        self.ls.work_done_progress.begin(
            self.token,
            types.WorkDoneProgressBegin(
                title=self.title, cancellable=self.cancellable, percentage=0
            ),
        )
        self._cancel = self.ls.work_done_progress.tokens.get(self.token)

    def report(self, message: str, percentage: int) -> None:
        if self.enabled:
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    def end(self, message: str) -> None:
        if self.enabled:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)

    def cancelled(self) -> bool:
        return bool(self._cancel is not None and self._cancel.cancelled())


class PyglsClient:
    """`Client` over a pygls connection."""

    def __init__(self, ls: LanguageServer) -> None:
        self.ls = ls

    def show_message(self, kind: types.MessageType, message: str) -> None:
        self.ls.window_show_message(types.ShowMessageParams(type=kind, message=message))

    async def show_message_request(
        self, kind: types.MessageType, message: str, actions: list[str]
    ) -> str | None:
        result = await self.ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=kind,
                message=message,
                actions=[types.MessageActionItem(title=a) for a in actions],
            )
        )
        return result.title if result is not None else None

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> bool:
        result = await self.ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label=label)
        )
        if not result.applied:
            log.info("the editor did not apply the edit: %s", result.failure_reason)
        return bool(result.applied)

    async def show_document(self, params: types.ShowDocumentParams) -> bool:
        result = await self.ls.window_show_document_async(params)
        return bool(result and result.success)

    def publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.ls.text_document_publish_diagnostics(params)

    def notify(self, method: str, params: Any) -> None:
        self.ls.protocol.notify(method, params)

    def progress(self, title: str, cancellable: bool = True) -> Progress:
        window = self.ls.client_capabilities.window
        enabled = bool(window and window.work_done_progress)
        return _PyglsProgress(self.ls, title, enabled, cancellable)

    async def configuration(self, section: str) -> Any:
        result = await self.ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=section)])
        )
        return result[0] if result else None

    def refresh_code_lens(self) -> None:
        self.ls.workspace_code_lens_refresh(None).add_done_callback(_ignore_error)

    async def register(self, registration: types.Registration) -> None:
        await self.ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )

    async def unregister(self, unregistration: types.Unregistration) -> None:
        await self.ls.client_unregister_capability_async(
            types.UnregistrationParams(unregisterations=[unregistration])
        )


def _ignore_error(future: Any) -> None:
    """A client that cannot refresh keeps its lenses until the next request."""
    if not future.cancelled() and future.exception() is not None:
        log.debug("refresh failed: %s", future.exception())
