"""Reading generated files: hashes and symbols, cached by (size, mtime).

Shared by the CLI and the server; a file is read and hashed once until it
changes on disk, and tree-sitter runs only when a `#symbol` asks for it.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from specls import code
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


class OutputReader:
    """Thread-safe cache of output files under one root: a pure disk cache.

    Unsaved editor buffers are not part of it: `with_buffers` returns a view
    for one snapshot in which they win over the disk, sharing this cache for
    every other file.
    """

    def __init__(self, root: Path, fs: FileSystem = REAL_FS) -> None:
        self.root = root
        self.fs = fs
        self._files: dict[str, FileState] = {}
        self._symbols: dict[tuple[str, str], tuple[tuple[int, int] | None, code.Symbol | None]] = {}
        self._lock = threading.Lock()
        self._buffers: dict[str, FileState] = {}  # this view's open buffers (none: the disk)

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

    def forget(self, rel: str) -> None:
        with self._lock:
            self._files.pop(rel, None)

    def state(self, rel: str) -> FileState:
        buffered = self._buffers.get(rel)
        if buffered is not None:
            return buffered
        with self._lock:
            stamp = self.fs.stat(self.root / rel)
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
        real_root = self._real_root
        real = os.path.realpath(self.root / rel)
        return not (real == real_root or real.startswith(real_root + os.sep))
