"""`workspace/executeCommand`: regenerate, stamp, show outputs, graph, status.

Every write goes through `SpecService` (the one write path the CLI uses
too): generators run in a worker thread with `$/progress` and cancel; the
writer lock is taken, `spec.lock` re-read from disk, and outputs open in the
editor change through `workspace/applyEdit` (undo works) while the others
are written to disk in one transaction. The lock entries of units written
into unsaved buffers wait for the save (`settle_pending`), so a terminal
`specls check` never sees a lock that claims what the disk does not hold.
Regenerations of one root run one after another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from specls.ide.targets import hit_at, owners_at, unit_for_section
from specls.lsp.convert import from_position, location, path_to_uri, uri_to_path
from specls.lsp.edits import workspace_edit
from specls.lsp.guard import UserError
from specls.lsp.open_section import show_diff
from specls.lsp.snapshot import Snapshot
from specls.regen.engine import UnitEvent
from specls.service import Change, SpecService, WriteRefused, commit, write_to_disk
from specls.status import Status
from specls.text import LineIndex
from specls.workspace import Workspace

if TYPE_CHECKING:
    from specls.lsp.server import Server
    from specls.lsp.session import RootState

log = logging.getLogger(__name__)

REGENERATE = "specls.regenerate"
REGENERATE_STALE = "specls.regenerateStale"
STAMP = "specls.stamp"
SHOW_OUTPUTS = "specls.showOutputs"
GRAPH = "specls.graph"
STATUS = "specls.status"

APPLY_EDIT_TIMEOUT = 60.0  # seconds the editor has to apply a regeneration


def root_of(server: Server, arg: dict[str, Any]) -> RootState:
    """The root of the argument's `uri`, else the first workspace root."""
    state: RootState | None = None
    if arg.get("uri"):
        path = uri_to_path(arg["uri"])
        state = server.session.root_for(path) if path else None
    elif server.session.roots:
        state = next(iter(server.session.roots.values()))
    if state is None:
        raise UserError("no workspace root for this command")
    return state


async def resolve_target(server: Server, arg: dict[str, Any]) -> tuple[RootState, list[str]]:
    """The root and unit refs a command argument names (see docs/protocol.md)."""
    uri = arg.get("uri")
    unit = arg.get("unit")
    state = root_of(server, arg)
    snap = await server.session.current(state)
    if unit:
        if unit not in snap.analysis.units:
            raise UserError(f"{unit} is not a generation unit")
        return state, [unit]
    if not uri:
        raise UserError("the command needs a unit or a uri")
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
            raise UserError("no generation unit here: the section has no @generate or @test")
        return state, [us.ref]
    owners = owners_at(snap.analysis, rel or "", pos)
    if not owners:
        raise UserError("this file is not generated from any spec section")
    return state, [owners[0][0].ref]


def whole_file_edit(snap: Snapshot, rel: str, new_text: str) -> types.TextEdit:
    """Replace a file's whole current text (the open buffer's, else the disk's)."""
    old = snap.text(rel) or ""
    end = LineIndex(old).position(len(old))
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=0, character=0),
            end=types.Position(line=end.line, character=end.character),
        ),
        new_text=new_text,
    )


def edit_for(snap: Snapshot, files: Mapping[str, str]) -> types.WorkspaceEdit:
    return workspace_edit(
        snap,
        {snap.uri(rel): [whole_file_edit(snap, rel, text)] for rel, text in sorted(files.items())},
    )


class EditorWriter:
    """The server's way for files to reach the tree: open buffers through the
    editor (`workspace/applyEdit`), the rest to disk. Called in a worker thread
    inside the write path; the edit is sent on the event loop and awaited."""

    def __init__(
        self, server: Server, snap: Snapshot, label: str, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.server = server
        self.snap = snap
        self.label = label
        self.loop = loop
        ws = snap.capabilities.workspace
        self.buffers = frozenset(snap.texts) if ws and ws.apply_edit else frozenset()

    def __call__(self, ws: Workspace, files: Mapping[str, str], lock: bytes | None) -> None:
        in_editor = {p: t for p, t in files.items() if p in self.buffers}
        if in_editor:
            edit = edit_for(self.snap, in_editor)
            future = asyncio.run_coroutine_threadsafe(
                self.server.client.apply_edit(edit, self.label), self.loop
            )
            if not future.result(timeout=APPLY_EDIT_TIMEOUT):
                raise UserError("the editor did not apply the edit; nothing was written")
        write_to_disk(ws, {p: t for p, t in files.items() if p not in self.buffers}, lock)


def _allow_list(snap: Snapshot) -> Any:
    allow = snap.settings.generators.allow
    return lambda name: not allow or name in allow


def progress_message(event: UnitEvent, elapsed: float) -> str:
    """`specs/a.spec.md#x · claude · 3.2s · Editing src/x.py`: one progress report line."""
    what = {"done": "done", "failed": "failed", "refused": "refused"}.get(event.kind, "")
    parts = [event.ref, event.generator, f"{elapsed:.1f}s", what, event.text.strip()]
    return " · ".join(p for p in parts if p)


async def _regenerate(
    server: Server, state: RootState, refs: list[str], force: bool, asking: bool = False
) -> Any:
    """Regenerate `refs`; `asking`: the caller asks about refusals, so they are not shown."""
    result: dict[str, Any] = {"regenerated": [], "failed": [], "refused": []}
    if not refs:
        return result
    title = f"Regenerating {refs[0]}" if len(refs) == 1 else f"Regenerating {len(refs)} sections"
    progress = server.client.progress(title)
    await progress.begin()
    state.busy += 1
    server.notify_status(state)
    loop = asyncio.get_running_loop()

    percentage = 0

    def send(message: str) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the server is exiting
            loop.call_soon_threadsafe(progress.report, message, percentage)

    def report(ref: str, i: int, n: int) -> None:
        nonlocal percentage
        percentage = int(100 * i / max(n, 1))
        send(ref)

    started: dict[str, float] = {}

    def on_event(event: UnitEvent) -> None:
        # per unit: the generator, the time it has run, and the agent's latest stderr
        # line (what the CLI's progress table shows), so a slow agent is visibly alive
        now = time.monotonic()
        if event.kind == "start":
            started[event.ref] = now
        send(progress_message(event, now - started.get(event.ref, now)))

    def cancelled() -> bool:
        return server.session.shutting_down.is_set() or progress.cancelled()

    try:
        async with state.regen:  # one regeneration of a root at a time
            snap = await server.session.settle(state)
            service = SpecService(snap.workspace, snap.reader)
            writer = EditorWriter(server, snap, title, loop)
            try:
                outcome = await asyncio.to_thread(
                    service.regenerate,
                    snap.analysis,
                    refs,
                    force=force,
                    trusted=snap.trusted,
                    allowed=_allow_list(snap),
                    cancelled=cancelled,
                    progress=report,
                    on_event=on_event,
                    write_files=writer,
                    buffers=writer.buffers,
                    overlay={ref: entry for ref, (entry, _) in state.pending.items()},
                )
            except (WriteRefused, UserError, OSError) as exc:
                progress.end(f"Failed: {exc}")
                raise UserError(str(exc)) from exc
        plan = outcome.plan
        if cancelled():
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
        if outcome.written:
            result["regenerated"] = [r.ref for r in plan.results]
            state.pending.update(outcome.deferred)
            for path in plan.files:
                state.disk.forget(path)
            server.session.note_file(state, "spec.lock")
        for item in ([] if asking else result["refused"]) + result["failed"]:
            server.client.show_message(
                types.MessageType.Warning, f"{item['unit']}: {item['message']}"
            )
        done = len(result["regenerated"])
        progress.end(f"Regenerated {done} section(s)" if done else "Nothing was changed")
        return result
    finally:
        state.busy -= 1
        server.session.schedule(state, delay=0)


OVERWRITE = "Overwrite and keep a backup"
SHOW_DIFF_ACTION = "Show diff"
CANCEL = "Cancel"


def _can_ask(server: Server) -> bool:
    window = server.session.capabilities.window
    return bool(window and window.show_message is not None)


async def _regenerate_confirming(
    server: Server, state: RootState, refs: list[str], force: bool
) -> Any:
    """Regenerate; units refused for hand-edited outputs are asked about, not just refused.

    Overwrite runs them again with force (the write path keeps a backup); Show diff
    shows each edited output's diff (`specls.showDiff`); Cancel changes nothing; a
    dismissed question shows the refusal. A client that cannot answer
    `window/showMessageRequest` gets the refusal as before.
    """
    asking = not force and _can_ask(server)
    result = await _regenerate(server, state, refs, force, asking)
    refused = result["refused"]
    if not asking or not refused:
        return result
    outputs = [o for item in refused for o in item["outputs"]]
    what = refused[0]["unit"] if len(refused) == 1 else f"{len(refused)} sections"
    message = (
        f"{what}: {', '.join(outputs)} edited by hand since it was generated. "
        "Regenerating overwrites the edit."
    )
    try:
        answer = await server.client.show_message_request(
            types.MessageType.Warning, message, [OVERWRITE, SHOW_DIFF_ACTION, CANCEL]
        )
    except Exception as exc:  # the editor failed to ask: the refusal as before
        log.info("window/showMessageRequest failed: %s", exc)
        answer = None
    result["answer"] = answer
    if answer is None:  # dismissed (or not asked): say why nothing happened
        for item in refused:
            server.client.show_message(
                types.MessageType.Warning, f"{item['unit']}: {item['message']}"
            )
    if answer == OVERWRITE:
        again = await _regenerate(server, state, [item["unit"] for item in refused], True)
        result["regenerated"] += again["regenerated"]
        result["failed"] += again["failed"]
        result["refused"] = again["refused"]
    elif answer == SHOW_DIFF_ACTION:
        result["diffs"] = [
            await show_diff(server, {"unit": item["unit"], "output": key})
            for item in refused
            for key in item["outputs"]
        ]
    return result


async def regenerate(server: Server, arg: dict[str, Any]) -> Any:
    state, refs = await resolve_target(server, arg)
    return await _regenerate_confirming(server, state, refs, bool(arg.get("force")))


async def regenerate_stale(server: Server, arg: dict[str, Any]) -> Any:
    state = root_of(server, arg)
    snap = await server.session.settle(state)
    rel = snap.rel(arg["uri"]) if arg.get("uri") else None
    refs = [
        r
        for r, us in sorted(snap.analysis.units.items())
        if us.status in (Status.STALE, Status.UNGENERATED, Status.MISSING)
        and (rel is None or us.unit.doc.path == rel)
    ]
    return await _regenerate_confirming(server, state, refs, bool(arg.get("force")))


def settle_pending(server: Server, state: RootState, saved: str) -> None:
    """A buffer was saved: lock entries waiting only for saved buffers are written."""
    ready: dict[str, Any] = {}
    for ref, (entry, paths) in list(state.pending.items()):
        paths.discard(saved)
        if not paths:
            ready[ref] = entry
            del state.pending[ref]
    if ready:
        server.session.jobs.add(
            asyncio.get_event_loop().create_task(_write_entries(server, state, ready))
        )


async def _write_entries(server: Server, state: RootState, entries: dict[str, Any]) -> None:
    try:
        ws = state.snapshot.workspace
        await asyncio.to_thread(commit, ws, Change(set_units=entries))
    except (WriteRefused, OSError) as exc:
        server.client.show_message(types.MessageType.Error, f"spec.lock not updated: {exc}")
    server.session.note_file(state, "spec.lock")
    server.session.schedule(state, delay=0)


async def stamp(server: Server, arg: dict[str, Any]) -> dict[str, Any]:
    state, refs = await resolve_target(server, arg)
    snap = await server.session.settle(state)
    service = SpecService(snap.workspace, state.disk)
    await asyncio.to_thread(service.stamp, snap.analysis, refs)
    server.session.note_file(state, "spec.lock")
    server.session.schedule(state, delay=0)
    return {"stamped": refs}


async def show_outputs(server: Server, arg: dict[str, Any]) -> list[types.Location]:
    state, refs = await resolve_target(server, arg)
    snap = await server.session.current(state)
    locations = []
    for ref in refs:
        for o in snap.analysis.units[ref].outputs:
            locations.append(location(snap.root, o.output.path, o.where))
    window = server.session.capabilities.window
    show = window and window.show_document and window.show_document.support
    if arg.get("reveal") and locations and show:
        # From a code lens the returned list goes nowhere: show the first output.
        first = locations[0]
        await server.client.show_document(
            types.ShowDocumentParams(uri=first.uri, take_focus=True, selection=first.range)
        )
    return locations


async def graph(server: Server, arg: dict[str, Any]) -> str:
    from specls.graphviz import render

    snap = await server.session.current(root_of(server, arg))
    return render(snap.workspace, snap.analysis, arg.get("format", "mermaid"))


async def status(server: Server, arg: dict[str, Any]) -> dict[str, Any]:
    from specls.lsp.server import client_globs

    out: dict[str, Any] = {"roots": []}
    for root, state in list(server.session.roots.items()):
        snap = await server.session.current(state)
        out["roots"].append(
            {
                "root": path_to_uri(root),
                "counts": snap.analysis.counts(),
                "globs": client_globs(snap.workspace.config),
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
