"""What `specls regen` shows while generators run.

On a terminal: a live `rich` table, one row per unit with its generator,
the time it has been running and the agent's latest stderr line. Otherwise
(CI logs, pipes): one plain line when an external generator starts and one
when it ends, so logs stay readable and diffable. Both go to stderr; stdout
keeps the result lines scripts parse.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from specls.regen.engine import UnitEvent
from specls.regen.presets import BUILTIN

_MARK = {"running": "…", "done": "✓", "failed": "✗", "refused": "✎"}
_STYLE = {"running": "cyan", "done": "green", "failed": "red", "refused": "magenta"}


@dataclass
class _Row:
    generator: str
    started: float
    state: str = "running"
    line: str = ""
    ended: float | None = None

    def elapsed(self) -> str:
        return f"{(self.ended or time.monotonic()) - self.started:.1f}s"


class RegenProgress:
    """An `on_event` callback for `plan_regen`; use as a context manager."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.rows: dict[str, _Row] = {}
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> RegenProgress:
        if self.live:
            console = Console(file=self.stream, highlight=False, force_terminal=True, width=120)
            self._live = Live(get_renderable=self._table, console=console, transient=False)
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def __call__(self, event: UnitEvent) -> None:
        with self._lock:
            row = self.rows.get(event.ref)
            if event.kind == "start":
                row = self.rows[event.ref] = _Row(event.generator, time.monotonic())
                if not self.live and event.generator != BUILTIN:
                    self._print(f"specls: {event.ref}: running {event.generator}")
                return
            if row is None:  # refused or failed before a generator was chosen
                row = self.rows[event.ref] = _Row(event.generator, time.monotonic())
            if event.kind == "line":
                row.line = event.text
                return
            row.state, row.ended = event.kind, time.monotonic()
            if event.kind != "done":
                row.line = event.text
            if not self.live and row.generator not in ("", BUILTIN):
                self._print(f"specls: {event.ref}: {row.generator} {event.kind} in {row.elapsed()}")

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _table(self) -> Table:
        table = Table(box=None, pad_edge=False, show_header=False)
        for col in ("", "unit", "generator", "time", "latest"):
            table.add_column(col, no_wrap=col != "latest", overflow="ellipsis")
        with self._lock:
            for ref, row in self.rows.items():
                table.add_row(
                    Text(_MARK[row.state], style=_STYLE[row.state]),
                    ref,
                    row.generator,
                    row.elapsed(),
                    Text(row.line[:200], style="dim"),
                )
        return table
