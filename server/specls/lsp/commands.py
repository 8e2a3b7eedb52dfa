"""`workspace/executeCommand`: regenerate, stamp, show outputs, graph, status.

Regeneration plans in a worker thread (generators may run for minutes),
reports `$/progress` and is cancellable. Outputs open in the editor are
changed with `workspace/applyEdit` so undo works; the others are written to
disk in one transaction. The lock is written last.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from specls.ide.targets import hit_at, owners_at, unit_for_section
from specls.lock import LOCK_NAME, write_lock
from specls.lsp.convert import from_position, location, path_to_uri, uri_to_path
from specls.lsp.edits import workspace_edit
from specls.lsp.snapshot import Snapshot
from specls.regen.engine import Plan, back_up, lock_after, plan_regen, stamp
from specls.regen.transaction import TransactionError, apply_files
from specls.status import Status
from specls.text import LineIndex

if TYPE_CHECKING:
    from specls.lsp.server import SpeclsServer
    from specls.lsp.session import RootState

log = logging.getLogger(__name__)

REGENERATE = "specls.regenerate"
REGENERATE_STALE = "specls.regenerateStale"
STAMP = "specls.stamp"
SHOW_OUTPUTS = "specls.showOutputs"
GRAPH = "specls.graph"
STATUS = "specls.status"

_running: set[asyncio.Task[Any]] = set()
_shutting_down = threading.Event()  # read by generator threads: kill the subprocess


class CommandError(Exception):
    pass


def cancel_all() -> None:
    """On shutdown: running generators are killed, their plans write nothing."""
    _shutting_down.set()
    for task in list(_running):
        task.cancel()


def command_arg(args: tuple[Any, ...], key: str = "unit") -> dict[str, Any]:
    """The single object argument of a command; a bare string stands for `{key: string}`."""
    if args and isinstance(args[0], dict):
        return args[0]
    if args and isinstance(args[0], str):
        return {key: args[0]}
    return {}


def root_of(ls: SpeclsServer, arg: dict[str, Any]) -> RootState:
    """The root of the argument's `uri`, else the first workspace root."""
    state: RootState | None = None
    if arg.get("uri"):
        path = uri_to_path(arg["uri"])
        state = ls.session.root_for(path) if path else None
    elif ls.session.roots:
        state = next(iter(ls.session.roots.values()))
    if state is None:
        raise CommandError("no workspace root for this command")
    return state


async def resolve_target(ls: SpeclsServer, arg: dict[str, Any]) -> tuple[RootState, list[str]]:
    """The root and unit refs a command argument names (see docs/protocol.md)."""
    uri = arg.get("uri")
    unit = arg.get("unit")
    state = root_of(ls, arg)
    snap = await ls.session.current(state)
    if unit:
        if unit not in snap.analysis.units:
            raise CommandError(f"{unit} is not a generation unit")
        return state, [unit]
    if not uri:
        raise CommandError("the command needs a unit or a uri")
    rel = snap.rel(uri)
    pos = from_position(types.Position(**arg["position"])) if arg.get("position") else None
    doc = snap.workspace.docs.get(rel or "")
    if doc is not None:
        if pos is None:
            return state, [
                r for r, us in snap.analysis.units.items() if us.unit.doc.path == doc.path
            ]
        us = unit_for_section(doc, hit_at(doc, pos).section, snap.analysis)
        if us is None:
            raise CommandError("no generation unit here: the section has no @generate or @test")
        return state, [us.ref]
    owners = owners_at(snap.analysis, rel or "", pos)
    if not owners:
        raise CommandError("this file is not generated from any spec section")
    return state, [owners[0][0].ref]


class Progress:
    """Work-done progress when the client supports it; silent otherwise."""

    def __init__(self, ls: SpeclsServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token = f"specls-{uuid.uuid4()}"
        window = ls.client_capabilities.window
        self.enabled = bool(window and window.work_done_progress)
        self.cancel_future: Any = None

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
            types.WorkDoneProgressBegin(title=self.title, cancellable=True, percentage=0),
        )
        self.cancel_future = self.ls.work_done_progress.tokens.get(self.token)

    def cancelled(self) -> bool:
        if _shutting_down.is_set():
            return True
        return bool(self.cancel_future is not None and self.cancel_future.cancelled())

    def report(self, message: str, percentage: int) -> None:
        if self.enabled:
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    def end(self, message: str) -> None:
        if self.enabled:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)


def _supports_apply_edit(ls: SpeclsServer) -> bool:
    ws = ls.client_capabilities.workspace
    return bool(ws and ws.apply_edit)


def whole_file_edit(snap: Snapshot, rel: str, new_text: str) -> types.TextEdit:
    """Replace a file's whole current text (the open buffer's, else the disk's)."""
    old = snap.texts.get(rel)
    if old is None:
        old = snap.reader.text(rel) or ""
    end = LineIndex(old).position(len(old))
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=0, character=0),
            end=types.Position(line=end.line, character=end.character),
        ),
        new_text=new_text,
    )


def edit_for(snap: Snapshot, files: dict[str, str]) -> types.WorkspaceEdit:
    return workspace_edit(
        snap,
        {snap.uri(rel): [whole_file_edit(snap, rel, text)] for rel, text in sorted(files.items())},
    )


async def _write(
    ls: SpeclsServer, state: RootState, snap: Snapshot, plan: Plan, label: str
) -> None:
    """Open buffers via applyEdit (undo works), the rest to disk, then the lock."""
    files = plan.files
    open_rels = set(snap.texts) if _supports_apply_edit(ls) else set()
    in_editor = {p: t for p, t in files.items() if p in open_rels}
    on_disk = {p: t for p, t in files.items() if p not in open_rels}
    await asyncio.to_thread(back_up, snap.root, plan.edited_paths)
    if in_editor:
        edit = edit_for(snap, in_editor)
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label=label)
        )
        if not result.applied:
            raise CommandError(f"the editor did not apply the edit: {result.failure_reason or ''}")
    if on_disk:
        await asyncio.to_thread(
            apply_files, snap.root, {p: t.encode("utf-8") for p, t in on_disk.items()}
        )
    for rel, text in in_editor.items():
        state.snapshot.reader.set_overlay(rel, text)
    lock = lock_after(snap.workspace, plan.results)
    await asyncio.to_thread(write_lock, snap.root / LOCK_NAME, lock)
    for rel in on_disk:
        state.snapshot.reader.forget(rel)
    ls.session.note_file(state, LOCK_NAME)


async def regenerate(
    ls: SpeclsServer, arg: dict[str, Any], refs_filter: str | None
) -> dict[str, Any]:
    if refs_filter == "stale":
        state = root_of(ls, arg)
        snap0 = await ls.session.settle(state)
        rel = snap0.rel(arg["uri"]) if arg.get("uri") else None
        refs = [
            r
            for r, us in sorted(snap0.analysis.units.items())
            if us.status in (Status.STALE, Status.UNGENERATED, Status.MISSING)
            and (rel is None or us.unit.doc.path == rel)
        ]
    else:
        state, refs = await resolve_target(ls, arg)
    snap = await ls.session.settle(state)
    if snap.workspace.lock_is_broken:
        raise CommandError(f"{LOCK_NAME} is corrupt; fix it before regenerating")
    result: dict[str, Any] = {"regenerated": [], "failed": [], "refused": []}
    if not refs:
        return result
    title = f"Regenerating {refs[0]}" if len(refs) == 1 else f"Regenerating {len(refs)} sections"
    progress = Progress(ls, title)
    await progress.begin()
    state.busy += 1
    ls.notify_status(state)
    loop = asyncio.get_running_loop()

    def report(ref: str, i: int, n: int) -> None:
        loop.call_soon_threadsafe(progress.report, ref, int(100 * i / max(n, 1)))

    try:
        plan = await asyncio.to_thread(
            plan_regen,
            snap.workspace,
            snap.analysis,
            snap.reader,
            refs,
            force=bool(arg.get("force")),
            trusted=snap.settings.trusted,
            allowed=snap.settings.allows,
            cancelled=progress.cancelled,
            progress=report,
        )
        if progress.cancelled():
            progress.end("Cancelled: nothing was changed")
            result["failed"] = [{"unit": r, "message": "cancelled"} for r in refs]
            return result
        result["refused"] = [
            {
                "unit": r,
                "message": m,
                "outputs": [
                    o.key for o in snap.analysis.units[r].outputs if o.status is Status.EDITED
                ],
            }
            for r, m in plan.refused
        ]
        result["failed"] = [{"unit": r, "message": m} for r, m in plan.failed]
        for ref in refs:
            state.regen_findings.pop(ref, None)
        for finding in plan.findings(snap.analysis):
            if finding.unit:
                state.regen_findings[finding.unit] = finding
        if plan.ok and plan.results:
            try:
                await _write(ls, state, snap, plan, title)
            except (CommandError, TransactionError, OSError) as exc:
                result["failed"].append({"unit": refs[0], "message": str(exc)})
                progress.end(f"Failed: {exc}")
                return result
            result["regenerated"] = [r.ref for r in plan.results]
        for item in result["refused"] + result["failed"]:
            ls.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"{item['unit']}: {item['message']}"
                )
            )
        done = len(result["regenerated"])
        progress.end(f"Regenerated {done} section(s)" if done else "Nothing was changed")
        return result
    finally:
        state.busy -= 1
        ls.session.schedule(state, delay=0)


async def do_stamp(ls: SpeclsServer, arg: dict[str, Any]) -> dict[str, Any]:
    state, refs = await resolve_target(ls, arg)
    snap = await ls.session.settle(state)
    await asyncio.to_thread(stamp, snap.workspace, snap.analysis, snap.reader, refs)
    ls.session.note_file(state, LOCK_NAME)
    ls.session.schedule(state, delay=0)
    return {"stamped": refs}


async def show_outputs(ls: SpeclsServer, arg: dict[str, Any]) -> list[types.Location]:
    state, refs = await resolve_target(ls, arg)
    snap = await ls.session.current(state)
    locations = []
    for ref in refs:
        for o in snap.analysis.units[ref].outputs:
            locations.append(location(snap.root, o.output.path, o.where))
    window = ls.client_capabilities.window
    show = window and window.show_document and window.show_document.support
    if arg.get("reveal") and locations and show:
        # From a code lens the returned list goes nowhere: show the first output.
        first = locations[0]
        await ls.window_show_document_async(
            types.ShowDocumentParams(uri=first.uri, take_focus=True, selection=first.range)
        )
    return locations


def register(server: SpeclsServer) -> None:
    def wrap(fn: Any) -> Any:
        async def handler(ls: Any, *args: Any) -> Any:  # pygls resolves these hints
            task = asyncio.current_task()
            if task is not None:
                _running.add(task)
            try:
                result = fn(ls, command_arg(args))
                return await result if asyncio.iscoroutine(result) else result
            except CommandError as exc:
                ls.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Error, message=str(exc))
                )
                raise JsonRpcInvalidParams(str(exc)) from exc
            finally:
                if task is not None:
                    _running.discard(task)

        return handler

    async def graph(ls: SpeclsServer, arg: dict[str, Any]) -> str:
        from specls.graphviz import render

        snap = await ls.session.current(root_of(ls, arg))
        return render(snap.workspace, snap.analysis, arg.get("format", "mermaid"))

    async def status(ls: SpeclsServer, arg: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"roots": []}
        for root, state in list(ls.session.roots.items()):
            snap = await ls.session.current(state)
            out["roots"].append(
                {
                    "root": path_to_uri(root),
                    "counts": snap.analysis.counts(),
                    "units": [
                        {
                            "unit": ref,
                            "status": us.status.value,
                            "outputs": {o.key: o.status.value for o in us.outputs},
                        }
                        for ref, us in sorted(snap.analysis.units.items())
                    ],
                }
            )
        return out

    server.command(REGENERATE)(wrap(lambda ls, a: regenerate(ls, a, None)))
    server.command(REGENERATE_STALE)(wrap(lambda ls, a: regenerate(ls, a, "stale")))
    server.command(STAMP)(wrap(do_stamp))
    server.command(SHOW_OUTPUTS)(wrap(show_outputs))
    server.command(GRAPH)(wrap(graph))
    server.command(STATUS)(wrap(status))
