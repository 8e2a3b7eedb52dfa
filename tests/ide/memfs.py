"""An in-memory `workspace.FileSystem` that counts reads, and ide snapshots over it.

    w = world('''
        //- specs/a.spec.md
        ## Cart$0 {#cart}
        //- src/cart.py
        class Cart: ...
    ''')
    hover(w.snap, w.path, w.pos, markdown=True); w.fs.reads["src/cart.py"]

Nothing touches the disk: the workspace, the output reader and the lock are
read through `MemFS` (a `spec.lock` among the files is parsed from it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from fixture import Fixture, fixture, pos16
from specls.ide.edits import SourceChange, apply_edits
from specls.ide.snapshot import Snapshot
from specls.lock import LOCK_NAME, parse_lock
from specls.outputs import OutputReader
from specls.status import analyze
from specls.text import Position
from specls.workspace import Workspace

ROOT = Path("/mem/ws")  # never created: every read goes through MemFS


class MemFS:
    """Files by workspace-relative path; `reads` counts `read_bytes` per path."""

    def __init__(self, root: Path, files: Mapping[str, str | bytes]) -> None:
        self.root = root
        self.files: dict[str, bytes] = {
            rel: data.encode("utf-8") if isinstance(data, str) else data
            for rel, data in files.items()
        }
        self.reads: Counter[str] = Counter()
        self.mtime = 1

    def _rel(self, path: Path) -> str | None:
        try:
            return PurePosixPath(path).relative_to(PurePosixPath(self.root)).as_posix()
        except ValueError:
            return None

    def read_bytes(self, path: Path) -> bytes:
        rel = self._rel(path)
        if rel is None or rel not in self.files:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        self.reads[rel] += 1
        return self.files[rel]

    def stat(self, path: Path) -> tuple[int, int] | None:
        rel = self._rel(path)
        if rel is None or rel not in self.files:
            return None
        return len(self.files[rel]), self.mtime

    def write(self, rel: str, text: str) -> None:
        self.files[rel] = text.encode("utf-8")
        self.mtime += 1

    def walk(self, root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
        base = self._rel(root)
        if base is None:
            return
        base = "" if base == "." else base
        prefix = base + "/" if base else ""
        if base and not any(rel.startswith(prefix) for rel in self.files):
            return
        dirs: set[str] = set()
        files: list[str] = []
        for rel in self.files:
            if not rel.startswith(prefix):
                continue
            head, sep, _ = rel[len(prefix) :].partition("/")
            (dirs.add(head) if sep else files.append(head))
        dirnames = sorted(dirs)
        yield root, dirnames, sorted(files)
        for d in list(dirnames):  # the caller may prune `dirnames` in place
            yield from self.walk(root / d)


@dataclass(frozen=True)
class World:
    """A snapshot built from a text fixture, with the cursor of its `$0` markers."""

    snap: Snapshot
    fs: MemFS
    fx: Fixture

    @property
    def path(self) -> str:
        assert self.fx.path is not None, "the fixture has no $0 marker"
        return self.fx.path

    @property
    def pos(self) -> Position:
        return self.fx.pos

    def text(self, rel: str) -> str:
        return self.fx.files[rel]


def snapshot_of(fs: MemFS, texts: Mapping[str, str] | None = None) -> Snapshot:
    ws = Workspace.load(fs.root, fs)
    if LOCK_NAME in fs.files:
        lock = parse_lock(fs.root / LOCK_NAME, fs.files[LOCK_NAME].decode("utf-8"))
        ws = replace(ws, lock=lock)
    for rel, text in (texts or {}).items():
        ws = ws.with_text(rel, text)
    reader = OutputReader(ws.root, fs)
    return Snapshot(ws, analyze(ws, reader), reader, dict(texts or {}))


def world(text: str, extra: Mapping[str, str | bytes] | None = None) -> World:
    """Files of the fixture (plus `extra`, e.g. a computed `spec.lock`) in a `MemFS`."""
    fx = fixture(text)
    fs = MemFS(ROOT, {**fx.files, **(extra or {})})
    return World(snapshot_of(fs), fs, fx)


def applied(w: World, change: SourceChange) -> dict[str, str]:
    """The text of each changed file once the change is applied."""
    return {rel: apply_edits(w.fs.files[rel].decode("utf-8"), e) for rel, e in change.items()}


def at(text: str, needle: str, offset: int = 0) -> Position:
    """The UTF-16 position of the first `needle` in `text` (plus `offset` code points)."""
    index = text.index(needle)
    return pos16(text, index + offset)


__all__ = ["ROOT", "MemFS", "World", "applied", "at", "snapshot_of", "world"]
