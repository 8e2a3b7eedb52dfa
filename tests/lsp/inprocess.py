"""The specls server in the test process, against a fake editor.

`FakeEditor` implements the server's `Client` interface the way an editor
does: it records messages, diagnostics and progress, and applies a
`workspace/applyEdit` to its open buffer and tells the server with a
`didChange`, as VS Code or Neovim would. No subprocess, no JSON-RPC: the
server's own routing table (`Server.dispatch`) runs every request, so these
tests cover the handlers, the guard and the session, and run in
milliseconds. The end-to-end tests in this folder keep the protocol covered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsp_helpers import uri, wait_for
from lsprotocol import types
from lsprotocol.types import METHOD_TO_TYPES
from pytest_lsp import client_capabilities
from specls.lsp.convert import Json, converter
from specls.lsp.server import Server

CONVERTER = converter()


class FakeProgress:
    def __init__(self, editor: FakeEditor, title: str) -> None:
        self.editor = editor
        self.title = title
        self.cancel_requested = False

    async def begin(self) -> None:
        self.editor.progress_log.append(("begin", self.title))
        if self.editor.cancel_next_progress:
            self.cancel_requested = True

    def report(self, message: str, percentage: int) -> None:
        self.editor.progress_log.append(("report", message))

    def end(self, message: str) -> None:
        self.editor.progress_log.append(("end", message))

    def cancelled(self) -> bool:
        return self.cancel_requested


class FakeEditor:
    """What the server asked of the editor, and the editor's answers."""

    def __init__(self, configuration: Any = None) -> None:
        self.server: Server | None = None
        self.messages: list[tuple[types.MessageType, str]] = []
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.diagnostic_versions: dict[str, int | None] = {}
        self.notes: list[tuple[str, Any]] = []
        self.edits: list[types.WorkspaceEdit] = []
        self.shown: list[types.ShowDocumentParams] = []
        self.progress_log: list[tuple[str, str]] = []
        self.registrations: list[types.Registration] = []
        self.lens_refreshes = 0
        self.configuration_value = configuration
        self.apply_edits = True
        self.cancel_next_progress = False
        # window/showMessageRequest: what was asked, and the title the "user" picks
        self.message_requests: list[tuple[types.MessageType, str, list[str]]] = []
        self.message_answer: str | None = None

    # --- the Client interface -----------------------------------------------------------

    def show_message(self, kind: types.MessageType, message: str) -> None:
        self.messages.append((kind, message))

    async def show_message_request(
        self, kind: types.MessageType, message: str, actions: list[str]
    ) -> str | None:
        self.message_requests.append((kind, message, list(actions)))
        assert self.message_answer is None or self.message_answer in actions
        return self.message_answer

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> bool:
        self.edits.append(edit)
        if not self.apply_edits:
            return False
        assert self.server is not None
        docs = self.server.session.documents.text_documents
        changes: list[tuple[str, list[types.TextEdit]]] = []
        if edit.document_changes:
            for change in edit.document_changes:
                assert isinstance(change, types.TextDocumentEdit)
                edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
                changes.append((change.text_document.uri, edits))
        for doc_uri, edits in (edit.changes or {}).items():
            changes.append((doc_uri, list(edits)))
        for doc_uri, edits in changes:
            doc = docs[doc_uri]
            version = (doc.version or 0) + 1
            await self.server.dispatch(
                types.TEXT_DOCUMENT_DID_CHANGE,
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(
                        uri=doc_uri, version=version
                    ),
                    content_changes=[
                        types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                        for e in reversed(edits)
                    ],
                ),
            )
        return True

    async def show_document(self, params: types.ShowDocumentParams) -> bool:
        self.shown.append(params)
        return True

    def publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.diagnostics[params.uri] = list(params.diagnostics)
        self.diagnostic_versions[params.uri] = params.version

    def notify(self, method: str, params: Any) -> None:
        self.notes.append((method, params))

    def progress(self, title: str, cancellable: bool = True) -> FakeProgress:
        return FakeProgress(self, title)

    async def configuration(self, section: str) -> Any:
        return self.configuration_value

    def refresh_code_lens(self) -> None:
        self.lens_refreshes += 1

    async def register(self, registration: types.Registration) -> None:
        self.registrations.append(registration)

    async def unregister(self, unregistration: types.Unregistration) -> None:
        self.registrations = [r for r in self.registrations if r.id != unregistration.id]


class InProcess:
    """A server and a fake editor on one root, for one client capability profile."""

    def __init__(
        self,
        root: Path,
        profile: str = "visual_studio_code",
        options: Any = None,
        capabilities: types.ClientCapabilities | None = None,
    ) -> None:
        self.root = root.resolve()
        self.capabilities = capabilities or client_capabilities(profile)
        self.profile = profile
        self.options = {"trusted": True} if options is None else options
        self.editor = FakeEditor()
        self.server = Server(self.editor)
        self.editor.server = self.server
        self.versions: dict[str, int] = {}

    async def start(self) -> InProcess:
        await self.request(
            types.INITIALIZE,
            types.InitializeParams(
                capabilities=self.capabilities,
                root_uri=uri(self.root),
                workspace_folders=[types.WorkspaceFolder(uri=uri(self.root), name="root")],
                initialization_options=self.options,
                client_info=types.ClientInfo(name=self.profile),
            ),
        )
        await self.request(types.INITIALIZED, types.InitializedParams())
        state = next(iter(self.server.session.roots.values()))
        await asyncio.wait_for(state.loaded.wait(), 30)
        return self

    async def stop(self) -> None:
        await self.request(types.SHUTDOWN, None)

    async def request(self, method: str, params: Any) -> Any:
        """The result as the editor gets it: a `Json` result (built in its JSON form)
        is read back into the method's protocol type, which checks its shape."""
        result = await self.server.dispatch(method, params)
        if isinstance(result, Json):
            response = METHOD_TO_TYPES[method][1]
            message = {"id": 1, "jsonrpc": "2.0", "result": result.value}
            return CONVERTER.structure(message, response).result
        return result

    async def command(self, name: str, *arguments: Any) -> Any:
        return await self.request(
            types.WORKSPACE_EXECUTE_COMMAND,
            types.ExecuteCommandParams(command=name, arguments=list(arguments)),
        )

    async def open(self, rel: str, text: str | None = None) -> str:
        path = self.root / rel
        doc_uri = uri(path)
        self.versions[doc_uri] = 1
        await self.request(
            types.TEXT_DOCUMENT_DID_OPEN,
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=doc_uri,
                    language_id="markdown" if rel.endswith(".md") else "plaintext",
                    version=1,
                    text=path.read_text("utf-8") if text is None else text,
                )
            ),
        )
        return doc_uri

    async def change(self, doc_uri: str, text: str) -> None:
        self.versions[doc_uri] += 1
        await self.request(
            types.TEXT_DOCUMENT_DID_CHANGE,
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=doc_uri, version=self.versions[doc_uri]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            ),
        )

    async def save(self, doc_uri: str) -> None:
        text = self.server.session.documents.text_documents[doc_uri].source
        path = Path(doc_uri.removeprefix("file://"))
        path.write_text(text, encoding="utf-8")
        await self.request(
            types.TEXT_DOCUMENT_DID_SAVE,
            types.DidSaveTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=doc_uri)
            ),
        )

    async def settled(self) -> None:
        """Every pending analysis of every root has finished."""
        for state in list(self.server.session.roots.values()):
            await self.server.session.settle(state)

    async def diagnostics(
        self,
        doc_uri: str,
        predicate: Callable[[Sequence[types.Diagnostic]], bool],
        timeout: float = 10.0,
    ) -> list[types.Diagnostic]:
        await wait_for(
            lambda: predicate(self.editor.diagnostics.get(doc_uri, [])),
            timeout,
            f"diagnostics on {doc_uri}",
        )
        return self.editor.diagnostics[doc_uri]
