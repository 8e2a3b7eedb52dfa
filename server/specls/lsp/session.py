"""The only mutable state of the server: roots, their snapshots, open buffers,
what was last published, running jobs and their cancel events.

Mutations happen on the event loop only (open/change/close/config/watch
handlers); parsing and analysis run in a worker thread on an immutable
`Workspace` and come back as a new `Snapshot`. A result computed for a
document version that is no longer current is dropped, never published.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from specls.findings import Finding
from specls.lock import LOCK_NAME, Lock, LockUnit
from specls.lsp.documents import Documents
from specls.lsp.loading import Loader, in_daemon_thread
from specls.lsp.settings import Settings
from specls.lsp.snapshot import Snapshot
from specls.outputs import OutputReader
from specls.service import find_root
from specls.status import Analysis, analyze
from specls.text import sha256_text
from specls.workspace import Workspace

if TYPE_CHECKING:
    from specls.lsp.client import Progress

log = logging.getLogger(__name__)

CONFIG_FILES = ("specls.toml", "pyproject.toml")


@dataclass
class RootState:
    snapshot: Snapshot
    ops: list[tuple[str, str]] = field(default_factory=list)  # ("file"|"lock"|"config", rel)
    task: asyncio.Task[None] | None = None
    sleeping: bool = False
    last_event: float = float("-inf")  # monotonic time of the last scheduled refresh
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    busy: int = 0
    regen_findings: dict[str, Finding] = field(default_factory=dict)  # unit -> SPEC3xx
    disk: OutputReader = field(default_factory=lambda: OutputReader(Path("/")))
    in_workspace: bool = True  # a workspace folder (else: made for a file opened outside)
    # Lock entries of units regenerated into open buffers, written when those are saved:
    # unit -> (entry, paths not saved yet). Until then a terminal `check` sees the disk
    # as it was, and the editor sees the entries (they count for its statuses).
    pending: dict[str, tuple[LockUnit, set[str]]] = field(default_factory=dict)
    regen: asyncio.Lock = field(default_factory=asyncio.Lock)  # one regeneration at a time

    @property
    def root(self) -> Path:
        return self.snapshot.root


def empty_snapshot(root: Path, settings: Settings) -> Snapshot:
    ws = Workspace(root=root)
    # watched: the server reports every change on disk (`Session.note_file` -> `forget`),
    # so an analysis after an edit looks again only at the files reported
    return Snapshot(ws, Analysis({}, (), {}, {}), OutputReader(root, watched=True), settings)


def _apply_ops(ws: Workspace, ops: list[tuple[str, str]]) -> Workspace:
    for kind, rel in ops:
        if kind == "config":
            return Workspace.load(ws.root)
        if kind == "lock":
            ws = ws.with_lock_reloaded()
        elif kind == "file":
            ws = ws.with_file(rel)
    return ws


def compute(
    base: Workspace,
    reader: OutputReader,
    ops: list[tuple[str, str]],
    texts: dict[str, str],
    previous: Analysis | None = None,
    pending: dict[str, LockUnit] | None = None,
) -> tuple[Workspace, Analysis]:
    """Runs in a worker thread: apply disk changes and open buffers, then analyze
    (reusing what the change cannot reach when `previous` analysed `base`).

    `reader` already sees the open buffers; `pending` lock entries (regenerated
    into buffers not saved yet) count over the lock on disk.
    """
    ws = base if base.revision else Workspace.load(base.root)
    ws = _apply_ops(ws, ops)
    for rel, text in texts.items():
        doc = ws.docs.get(rel)
        if ws.is_spec_path(rel) and (doc is None or doc.text_hash != sha256_text(text)):
            ws = ws.with_text(rel, text)
    if pending and not ws.lock_is_broken:
        ws = replace(ws, lock=(ws.lock or Lock()).with_units(pending))
    since = (base, previous) if previous is not None and base.revision else None
    return ws, analyze(ws, reader, since)


class Session:
    def __init__(
        self,
        on_snapshot: Callable[[RootState, Snapshot], None],
        progress: Callable[[str, bool], Progress] | None = None,
    ) -> None:
        """`on_snapshot` publishes a new snapshot of a root; `progress` starts a work-done
        progress in the editor (shown while a big root loads, `loading.py`)."""
        self._progress = progress
        self.roots: dict[Path, RootState] = {}
        self.settings = Settings()
        self.client_name = ""
        self.capabilities = types.ClientCapabilities()
        self.initialized = False
        self.root_uri: str | None = None
        self.folders: list[types.WorkspaceFolder] = []
        self.documents = Documents()
        self.published: dict[Path, dict[str, list[types.Diagnostic]]] = {}
        self.lens_statuses: dict[Path, tuple[tuple[str, str], ...]] = {}
        # the output URIs of `specls/status`, per root, while its set of outputs is unchanged
        self.status_outputs: dict[Path, tuple[frozenset[str], list[str]]] = {}
        self.jobs: set[asyncio.Task[Any]] = set()
        self.shutting_down = threading.Event()  # read by generator threads: kill them
        self._on_snapshot = on_snapshot

    def open_texts(self) -> dict[str, tuple[str, int | None]]:
        """Every open buffer by URI: (text, version)."""
        return {
            uri: (doc.source, doc.version)
            for uri, doc in self.documents.text_documents.items()
            if uri.startswith("file:")
        }

    def cancel_jobs(self) -> None:
        """On shutdown: running generators are killed, their plans write nothing."""
        self.shutting_down.set()
        for task in list(self.jobs):
            task.cancel()

    # --- roots --------------------------------------------------------------------------

    def add_root(self, root: Path, in_workspace: bool = True) -> RootState:
        root = root.resolve()
        state = self.roots.get(root)
        if state is None:
            snap = empty_snapshot(root, self.settings)
            state = RootState(snap, disk=snap.reader, in_workspace=in_workspace)
            self.roots[root] = state
            self.schedule(state, delay=0)
        return state

    def remove_root(self, root: Path) -> None:
        state = self.roots.pop(root.resolve(), None)
        self.status_outputs.pop(root.resolve(), None)
        if state and state.task:
            state.task.cancel()

    def root_for(self, path: Path, create: bool = True) -> RootState | None:
        path = path.resolve()
        best: RootState | None = None
        for root, state in self.roots.items():
            inside = path == root or root in path.parents
            if inside and (best is None or len(root.parts) > len(best.root.parts)):
                best = state
        if best is None and create:  # a file opened outside every folder: untrusted
            best = self.add_root(find_root(path), in_workspace=False)
        return best

    # --- scheduling ---------------------------------------------------------------------

    def note_file(self, state: RootState, rel: str) -> None:
        """A file changed on disk: a spec, the lock, the config or an output."""
        name = rel.rsplit("/", 1)[-1]
        if rel == LOCK_NAME:
            state.ops.append(("lock", rel))
        elif rel in CONFIG_FILES or (name in CONFIG_FILES and "/" not in rel):
            state.ops.append(("config", rel))
        elif state.snapshot.workspace.is_spec_path(rel):
            state.ops.append(("file", rel))
        state.disk.forget(rel)

    def set_settings(self, settings: Settings) -> None:
        self.settings = settings
        for state in self.roots.values():
            trusted = settings.trusted and state.in_workspace
            state.snapshot = replace(state.snapshot, settings=settings, trusted=trusted)

    def schedule(self, state: RootState, delay: float | None = None) -> None:
        """Analyse at once after a quiet spell, else (re)start the debounce timer.

        An edit that comes at least the debounce after the one before, with no
        analysis pending or running, is analysed at once: an incremental
        analysis costs tens of milliseconds even on a 1,000-spec root, and
        waiting out the debounce was most of keystroke → diagnostics. Edits
        closer together (typing fast) are coalesced into one analysis after the
        debounce. A running analysis finishes and is then redone; its result
        is dropped if a buffer moved meanwhile."""
        if delay is None:
            debounce = self.settings.debounce / 1000
            now = time.monotonic()
            quiet = now - state.last_event >= debounce
            state.last_event = now
            idle = state.task is None or state.task.done()
            delay = 0 if quiet and idle and state.loaded.is_set() else debounce
        if state.task is not None and state.sleeping:
            state.task.cancel()
        state.task = asyncio.get_event_loop().create_task(self._refresh(state, delay))

    def texts_for(self, state: RootState) -> tuple[dict[str, str], dict[str, int | None]]:
        texts: dict[str, str] = {}
        versions: dict[str, int | None] = {}
        for uri, (text, version) in self.open_texts().items():
            rel = state.snapshot.rel(uri)
            if rel is not None and self.root_for(state.root / rel, create=False) is state:
                texts[rel] = text
                versions[uri] = version
        return texts, versions

    async def _refresh(self, state: RootState, delay: float) -> None:
        state.sleeping = True
        try:
            await asyncio.sleep(delay)
        finally:
            state.sleeping = False
        async with state.lock:
            loader: Loader | None = None
            try:
                if not state.snapshot.workspace.revision:  # the root's first load
                    loader = Loader(state.root, self._progress)
                    state.snapshot = replace(state.snapshot, workspace=await loader.load())
                await self._analyse(state)
            except Exception:
                log.exception("analysis of %s failed", state.root)
            finally:
                if loader is not None:
                    loader.finish(f"{loader.total} documents")

    async def _analyse(self, state: RootState) -> None:
        """Apply open buffers and disk changes to the root's workspace, analyse, publish.

        A result computed for buffer versions that are no longer current is not
        published (the newer edit's refresh publishes); the first one of a root
        still becomes its snapshot, so that refresh is incremental, not a reload."""
        texts, versions = self.texts_for(state)
        ops = list(state.ops)
        reader = state.disk.with_buffers(texts)
        pending = {ref: entry for ref, (entry, _) in state.pending.items()}
        ws, analysis = await in_daemon_thread(
            compute,
            state.snapshot.workspace,
            reader,
            ops,
            texts,
            state.snapshot.analysis if state.loaded.is_set() else None,
            pending,
        )
        _, now = self.texts_for(state)
        stale = now != versions
        if stale and state.loaded.is_set():
            return  # a newer edit arrived; its own refresh will publish
        del state.ops[: len(ops)]
        state.snapshot = Snapshot(
            ws,
            analysis,
            reader,
            self.settings,
            texts,
            self.client_name,
            versions,
            self.capabilities,
            trusted=self.settings.trusted and state.in_workspace,
        )
        state.loaded.set()
        if not stale:
            self._on_snapshot(state, state.snapshot)

    async def current(self, state: RootState) -> Snapshot:
        """The latest snapshot, after the first load of the root has finished."""
        await state.loaded.wait()
        return state.snapshot

    async def settle(self, state: RootState) -> Snapshot:
        """Wait for pending edits to be analysed (used before commands that write)."""
        while state.task is not None and not state.task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(state.task)
        return await self.current(state)

    def drop_pending(self, state: RootState, rel: str) -> None:
        """A buffer regenerated into was closed unsaved: its pending lock entries go."""
        for ref in [r for r, (_, paths) in state.pending.items() if rel in paths]:
            del state.pending[ref]
