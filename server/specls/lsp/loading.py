"""The first load of a root: off the event loop, with `$/progress` when it is big.

The server answers `initialize` before any workspace is read (`early.py`);
after `initialized` each root is loaded (parse, then analysis) in a daemon
thread, so the event loop keeps answering (`shutdown` at once, other
requests once the root they need is loaded: `Session.current` waits for
it) and `exit` never waits for a load to finish.

A root with at least `PROGRESS_MIN_DOCS` spec documents shows work-done
progress: begin (title "specls: loading <root>"), reports of the documents
read of the total with a percentage (reading and parsing is the first 90%,
then "analysing"), and end once its diagnostics are published. Smaller
roots load in well under a second and show none, so a small project sees
no flicker. The count comes from the `FileSystem` the load reads through:
every spec document is one `read_bytes`.

Test hook: `SPECLS_TEST_SLOW_LOAD_MS=<ms>` makes every spec read of a load
sleep that long, so protocol tests can act while a load is running. It is
read once per load and does nothing when unset.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from specls.lsp.client import Progress
    from specls.workspace import FileSystem, Workspace

T = TypeVar("T")

PROGRESS_MIN_DOCS = 200
SLOW_LOAD_ENV = "SPECLS_TEST_SLOW_LOAD_MS"
_REPORT_EVERY = 0.1  # seconds between two reports at most once (and on each 5% step)


async def in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    """`asyncio.to_thread`, but in a daemon thread: the interpreter exits without
    waiting for it (a load or an analysis only reads; abandoning it loses nothing)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        ok = False
        value_: Any = None
        try:
            value_, ok = fn(*args), True
        except BaseException as exc:
            value_ = exc
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
            loop.call_soon_threadsafe(settle, ok, value_)

    threading.Thread(
        target=run, name=f"specls-{getattr(fn, '__name__', 'job')}", daemon=True
    ).start()
    return await future


class CountingFS:
    """The real file system, counting the spec documents read (for progress)
    and walking the root once (discovery and load share the walk)."""

    on_disk = True  # the real file system underneath: the parse cache applies

    def __init__(self, on_read: Callable[[int], None]) -> None:
        from specls.workspace import REAL_FS

        self._fs: FileSystem = REAL_FS
        self._walks: dict[Path, list[tuple[Path, list[str], list[str]]]] = {}
        self._specs: set[Path] = set()
        self._lock = threading.Lock()
        self.read = 0
        self._on_read = on_read
        delay = os.environ.get(SLOW_LOAD_ENV, "")
        self._delay = float(delay) / 1000 if delay.strip() else 0.0

    def expect(self, paths: set[Path]) -> None:
        """The spec documents the load will read (the others are not counted)."""
        self._specs = paths

    def read_bytes(self, path: Path) -> bytes:
        data = self._fs.read_bytes(path)
        if path in self._specs:
            if self._delay:
                time.sleep(self._delay)
            with self._lock:
                self.read += 1
                n = self.read
            self._on_read(n)
        return data

    def stat(self, path: Path) -> tuple[int, int] | None:
        return self._fs.stat(path)

    def walk(self, root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
        cached = self._walks.get(root)
        if cached is not None:
            yield from cached
            return
        seen: list[tuple[Path, list[str], list[str]]] = []
        for entry in self._fs.walk(root):
            seen.append(entry)  # the caller prunes dirnames in place: the replay is pruned too
            yield entry
        self._walks[root] = seen


class Loader:
    """Loads one root; reports progress through the client when the root is big."""

    def __init__(self, root: Path, progress: Callable[[str, bool], Progress] | None) -> None:
        self.root = root
        self._make_progress = progress
        self._progress: Progress | None = None
        self._begun: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.total = 0
        self._last = (0.0, -1)  # time and percentage of the last report
        self.fs = CountingFS(self._on_read)

    async def load(self) -> Workspace:
        self._loop = asyncio.get_running_loop()
        paths = await in_daemon_thread(self._discover)
        self.total = len(paths)
        self.fs.expect(paths)
        if self._make_progress is not None and self.total >= PROGRESS_MIN_DOCS:
            self._progress = self._make_progress(f"specls: loading {self.root.name}", False)
            self._begun = asyncio.ensure_future(self._progress.begin())  # never wait for it
        from specls.workspace import Workspace

        ws = await in_daemon_thread(Workspace.load, self.root, self.fs)
        self._report(f"analysing {self.total} documents", 90)
        return ws

    def finish(self, message: str) -> None:
        """End the progress (after the root's first diagnostics are published)."""
        if self._begun is None or self._progress is None:
            return
        if self._begun.done() and not self._begun.cancelled() and not self._begun.exception():
            self._progress.end(message)
        else:
            self._begun.cancel()  # the client has not answered `create`: nothing was shown
        self._progress = None

    def _discover(self) -> set[Path]:
        from specls.workspace import Workspace

        ws = Workspace(root=self.root.resolve()).with_config_reloaded()
        return {ws.root / rel for rel in ws.discover(self.fs)}

    def _on_read(self, n: int) -> None:
        """In the load thread: a report at most every 0.1 s, or at each 5% step."""
        if self._progress is None or self._loop is None or not self.total:
            return
        percentage = min(90, n * 90 // self.total)
        now = time.monotonic()
        last_time, last_pct = self._last
        if now - last_time < _REPORT_EVERY and percentage < last_pct + 5 and n < self.total:
            return
        self._last = (now, percentage)
        message = f"{n}/{self.total} documents"
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._report, message, percentage)

    def _report(self, message: str, percentage: int) -> None:
        """On the event loop: a report once the begin was sent."""
        begun = self._begun
        if self._progress is None or begun is None or not begun.done() or begun.cancelled():
            return
        if begun.exception() is None:
            self._progress.report(message, percentage)
