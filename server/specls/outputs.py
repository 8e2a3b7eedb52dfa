"""Reading generated files: hashes and symbols, cached by (size, mtime).

Shared by the CLI and the server; a file is read and hashed once until it
changes on disk, and tree-sitter runs only when a `#symbol` asks for it.
"""

from __future__ import annotations

import copy
import itertools
import os
import stat as st_mod
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from specls import code
from specls.paths import RealPaths
from specls.text import sha256_bytes
from specls.workspace import REAL_FS, FileSystem


@dataclass(frozen=True, slots=True)
class FileState:
    stamp: tuple[int, int] | None  # (size, mtime_ns); None when missing
    data: bytes | None
    hash: str | None
    error: str | None = None


def whole_file_hash(data: bytes) -> str:
    """Output hashes ignore line endings (DESIGN §2)."""
    return sha256_bytes(data.replace(b"\r\n", b"\n"))


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class _ChangeLog:
    """Which files a reader was told (or saw) changed, in order, shared by its views."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.seq = 0
        self.entries: dict[str, int] = {}  # rel -> seq of its last change

    def note(self, rel: str) -> None:
        self.seq = next(self.counter)
        self.entries[rel] = self.seq

    def since(self, mark: int) -> set[str]:
        if mark >= self.seq:
            return set()
        return {rel for rel, seq in self.entries.items() if seq > mark}


class OutputReader:
    """Thread-safe cache of output files under one root: a pure disk cache.

    Unsaved editor buffers are not part of it: `with_buffers` returns a view
    for one snapshot in which they win over the disk, sharing this cache for
    every other file.

    `watched`: the owner reports every change on disk with `forget` (the
    server watches the files the specs name), so an analysis that reuses the
    previous one need not stat the files nobody reported. Without it (the
    CLI), reuse checks every file the previous analysis read.
    """

    def __init__(self, root: Path, fs: FileSystem = REAL_FS, watched: bool = False) -> None:
        self.root = root
        self.fs = fs
        self.watched = watched
        self._root_str = str(root)
        self._files: dict[str, FileState] = {}
        self._symbols: dict[tuple[str, str], tuple[tuple[int, int] | None, code.Symbol | None]] = {}
        self._lock = threading.Lock()
        self._log = _ChangeLog()
        self._buffers: dict[str, FileState] = {}  # this view's open buffers (none: the disk)
        self._pinned: dict[str, FileState] | None = None  # a pinned view's answers
        self._real: RealPaths | None = None

    def with_buffers(self, texts: Mapping[str, str]) -> OutputReader:
        """A view where the open buffers `texts` (by rel path) win over the disk."""
        view = copy.copy(self)
        view._buffers = {}
        for rel, text in texts.items():
            data = text.encode("utf-8", "surrogatepass")
            # A stamp no file on disk has (negative mtime) that differs per content,
            # so a symbol cached for one buffer text is never reused for another.
            stamp = (len(data), -1 - (hash(data) & 0x7FFFFFFF))
            view._buffers[rel] = FileState(stamp, data, whole_file_hash(data))
        return view

    def pinned(self, known: dict[str, FileState] | None = None) -> OutputReader:
        """A view for one pass of the analysis: each file is looked at once, so the
        pass sees one state of the disk; `known` are answers taken as they are (the
        previous pass's, for files nobody changed since); the view takes it over."""
        view = copy.copy(self)
        view._pinned = known if known is not None else {}
        view._real = RealPaths(self.root)
        return view

    @property
    def seen(self) -> Mapping[str, FileState]:
        """What a pinned view looked at (empty for any other view)."""
        return self._pinned or {}

    @property
    def real_paths(self) -> RealPaths | None:
        """A pinned view's memo of real paths (None: resolve on every call)."""
        return self._real

    @property
    def buffers(self) -> Mapping[str, FileState]:
        return self._buffers

    def mark(self) -> int:
        """A point in the change log, for `changed_since`."""
        return self._log.seq

    def shares_cache(self, other: OutputReader) -> bool:
        return self._log is other._log

    def changed_since(self, mark: int) -> set[str]:
        """Files reported (by `forget`) or seen changed since `mark`."""
        with self._lock:
            return self._log.since(mark)

    def forget(self, rel: str) -> None:
        with self._lock:
            self._files.pop(rel, None)
            self._log.note(rel)

    def _stat(self, rel: str) -> tuple[int, int] | None:
        if self.fs is not REAL_FS:
            return self.fs.stat(self.root / rel)
        try:  # the same answer as RealFileSystem.stat, without building a Path
            st = os.stat(os.path.join(self._root_str, rel))
        except (OSError, ValueError):
            return None
        return (st.st_size, st.st_mtime_ns) if st_mod.S_ISREG(st.st_mode) else None

    def state(self, rel: str) -> FileState:
        buffered = self._buffers.get(rel)
        if buffered is not None:
            return buffered
        pinned = self._pinned
        if pinned is not None:
            found = pinned.get(rel)
            if found is None:
                found = pinned[rel] = self._disk_state(rel)
            return found
        return self._disk_state(rel)

    def _disk_state(self, rel: str) -> FileState:
        stamp = self._stat(rel)
        with self._lock:
            cached = self._files.get(rel)
            if cached is not None and cached.stamp == stamp:
                return cached
        if stamp is None:
            st = FileState(None, None, None)
        else:
            try:
                data = self.fs.read_bytes(self.root / rel)
                st = FileState(stamp, data, whole_file_hash(data))
            except OSError as exc:
                st = FileState(stamp, None, None, exc.strerror or str(exc))
        with self._lock:
            if cached is not None:
                self._log.note(rel)  # changed without anyone saying so
            self._files[rel] = st
        return st

    def exists(self, rel: str) -> bool:
        return self.state(rel).stamp is not None

    def file_hash(self, rel: str) -> str | None:
        return self.state(rel).hash

    def text(self, rel: str) -> str | None:
        data = self.state(rel).data
        return _decode(data) if data is not None else None

    def symbol(self, rel: str, name: str) -> code.Symbol | None:
        st = self.state(rel)
        key = (rel, name)
        with self._lock:
            cached = self._symbols.get(key)
            if cached is not None and cached[0] == st.stamp:
                return cached[1]
        language = code.language_for_path(rel)
        text = _decode(st.data) if st.data is not None else None
        found = code.find_symbol(text, language, name) if language and text is not None else None
        with self._lock:
            self._symbols[key] = (st.stamp, found)
        return found

    def symbol_hash(self, rel: str, name: str) -> str | None:
        found = self.symbol(rel, name)
        text = self.text(rel)
        if found is None or text is None:
            return None
        return code.symbol_digest(text, found)

    def output_hash(self, path: str, symbol: str | None) -> str | None:
        return self.symbol_hash(path, symbol) if symbol else self.file_hash(path)

    @cached_property
    def _real_root(self) -> str:
        return os.path.realpath(self.root)

    def escapes_root(self, rel: str) -> bool:
        """True when `rel` reaches outside the root through a symlink."""
        if self._real is not None:
            return self._real.escapes(rel)
        real_root = self._real_root
        real = os.path.realpath(self.root / rel)
        return not (real == real_root or real.startswith(real_root + os.sep))
