"""File watching: the client's `workspace/didChangeWatchedFiles` when it can
register it dynamically, else watchdog observers in the server.

Either way a change becomes `Session.note_file` + a debounced refresh, so a
`specls regen` run in a terminal shows up in the editor within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from specls.config import ALWAYS_EXCLUDED
from specls.lsp.convert import path_to_uri, uri_to_path

if TYPE_CHECKING:
    from specls.lsp.server import Server
    from specls.lsp.session import RootState

log = logging.getLogger(__name__)


class Watcher:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.client_side = False
        self.relative = False
        self._patterns: dict[Path, list[str]] = {}
        self._registered: dict[Path, str] = {}
        self._observer: Any = None
        self._watched: set[Path] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        caps = self.server.session.capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched and watched.dynamic_registration:
            self.client_side = True
            self.relative = bool(watched.relative_pattern_support)
            for state in list(self.server.session.roots.values()):
                self.update(state)
            return
        self._start_observer()

    def patterns(self, state: RootState) -> list[str]:
        """What a root needs watched: its spec globs, lock and config, and every file
        the specs name (outputs, `@use` and `@describe` files)."""
        snap = state.snapshot
        files: set[str] = set(snap.workspace.config.include)
        files |= {"spec.lock", "specls.toml", "pyproject.toml"}
        files |= set(snap.analysis.owners)
        for us in snap.analysis.units.values():
            files.update(f for f, _ in us.use_hashes)
        return sorted(files)

    async def _register(self, state: RootState, patterns: list[str]) -> None:
        root_uri = path_to_uri(state.root)
        watchers = [
            types.FileSystemWatcher(
                glob_pattern=types.RelativePattern(base_uri=root_uri, pattern=p)
                if self.relative
                else (p if p.startswith("**/") else f"**/{p}")
            )
            for p in patterns
        ]
        old_id = self._registered.get(state.root)
        new_id = f"specls-watch-{uuid.uuid4()}"
        try:
            await self.server.client.register(
                types.Registration(
                    id=new_id,
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=watchers
                    ),
                )
            )
        except Exception as exc:
            log.info("client file watching unavailable (%s); watching in the server", exc)
            self.client_side = False
            self._start_observer()
            return
        self._registered[state.root] = new_id
        if old_id is not None:
            with contextlib.suppress(Exception):
                await self.server.client.unregister(
                    types.Unregistration(id=old_id, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
                )

    def _start_observer(self) -> None:
        try:
            from watchdog.observers import Observer
        except ImportError:  # pragma: no cover - watchdog is a dependency
            log.warning("watchdog is not installed; file changes outside the editor are missed")
            return
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()
        for state in list(self.server.session.roots.values()):
            self.update(state)

    def update(self, state: RootState) -> None:
        """After each analysis: keep what is watched in line with what the specs name."""
        if self.client_side:
            if not state.loaded.is_set():
                return
            patterns = self.patterns(state)
            if self._patterns.get(state.root) != patterns and self._loop is not None:
                self._patterns[state.root] = patterns
                self._loop.create_task(self._register(state, patterns))
            return
        if self._observer is None or state.root in self._watched:
            return
        from watchdog.events import FileSystemEvent, FileSystemEventHandler

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed", "closed_no_write"):
                    return
                paths = [str(event.src_path)]
                if getattr(event, "dest_path", None):
                    paths.append(str(event.dest_path))
                if watcher._loop is not None:
                    watcher._loop.call_soon_threadsafe(watcher.on_paths, [Path(p) for p in paths])

        try:
            self._observer.schedule(Handler(), str(state.root), recursive=True)
            self._watched.add(state.root)
        except OSError as exc:
            log.warning("cannot watch %s: %s", state.root, exc)

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer = None

    def on_client_events(self, uris: list[str]) -> None:
        self.on_paths([p for u in uris if (p := uri_to_path(u)) is not None])

    def on_paths(self, paths: list[Path]) -> None:
        touched: dict[Path, RootState] = {}
        for path in paths:
            if path.name.endswith(".specls-tmp") or any(p in ALWAYS_EXCLUDED for p in path.parts):
                continue
            state = self.server.session.root_for(path, create=False)
            if state is None:
                continue
            rel = state.snapshot.workspace.rel(path)
            if rel is None:
                continue
            self.server.session.note_file(state, rel)
            touched[state.root] = state
        for state in touched.values():
            self.server.session.schedule(state)
