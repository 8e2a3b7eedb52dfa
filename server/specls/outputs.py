"""Reading generated files: hashes and symbols, cached by (size, mtime).

Shared by the CLI and the server; a file is read and hashed once until it
changes on disk, and tree-sitter runs only when a `#symbol` asks for it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
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
    """Thread-safe cache of output files under one root."""

    def __init__(self, root: Path, fs: FileSystem = REAL_FS) -> None:
        self.root = root
        self.fs = fs
        self._files: dict[str, FileState] = {}
        self._symbols: dict[tuple[str, str], tuple[tuple[int, int] | None, code.Symbol | None]] = {}
        self._lock = threading.Lock()
        self._overlays: dict[str, bytes] = {}  # unsaved editor buffers

    def set_overlay(self, rel: str, text: str | None) -> None:
        """An open editor buffer wins over the file on disk (or stops winning when None)."""
        with self._lock:
            if text is None:
                self._overlays.pop(rel, None)
            else:
                self._overlays[rel] = text.encode("utf-8", "surrogatepass")
            self._files.pop(rel, None)

    def forget(self, rel: str) -> None:
        with self._lock:
            self._files.pop(rel, None)

    def state(self, rel: str) -> FileState:
        with self._lock:
            overlay = self._overlays.get(rel)
            if overlay is not None:
                cached = self._files.get(rel)
                if cached is not None and cached.data is overlay:
                    return cached
                st = FileState((len(overlay), -1), overlay, whole_file_hash(overlay))
                self._files[rel] = st
                return st
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

    def escapes_root(self, rel: str) -> bool:
        """True when `rel` reaches outside the root through a symlink."""
        real_root = os.path.realpath(self.root)
        real = os.path.realpath(self.root / rel)
        return not (real == real_root or real.startswith(real_root + os.sep))
