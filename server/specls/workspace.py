"""An immutable snapshot of one workspace root: its config, specs and lock.

Every change returns a new `Workspace` (with a bumped `revision`) that shares
the unchanged documents with the old one, so readers (LSP requests, the CLI)
hold a consistent view while the next edit is applied. Disk access goes
through the `FileSystem` protocol so tests can count and fake it.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

from specls.collect import internal_error
from specls.config import ALWAYS_EXCLUDED, Config, ConfigError, load_config
from specls.dialect import Directive, Section, SpecDocument, parse_document
from specls.findings import Code, Finding, Severity
from specls.fsutil import read_regular
from specls.gcpause import gc_paused
from specls.globs import any_match
from specls.layouts import layout_for
from specls.lock import LOCK_NAME, Lock, LockError, load_lock
from specls.parse_cache import ParseCache
from specls.text import Range


class FileSystem(Protocol):
    def read_bytes(self, path: Path) -> bytes: ...

    def stat(self, path: Path) -> tuple[int, int] | None:
        """(size, mtime_ns), or None when the path is not a regular file."""
        ...

    def walk(self, root: Path) -> Iterator[tuple[Path, list[str], list[str]]]: ...


class RealFileSystem:
    # what it reads is on disk, so the persistent parse cache may serve it
    on_disk = True

    def read_bytes(self, path: Path) -> bytes:
        return read_regular(path)  # a FIFO or device: OSError, never a hang

    def stat(self, path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        import stat as st_mod

        if not st_mod.S_ISREG(st.st_mode):
            return None
        return st.st_size, st.st_mtime_ns

    def walk(self, root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
        for dirpath, dirnames, filenames in os.walk(root):
            yield Path(dirpath), dirnames, filenames


REAL_FS = RealFileSystem()


def unit_ref(doc_path: str, section: Section) -> str:
    return f"{doc_path}#{section.id}" if section.id else doc_path


def split_ref(ref: str) -> tuple[str, str]:
    path, _, fragment = ref.partition("#")
    return path, fragment


@lru_cache(maxsize=1 << 16)  # a pure function of two strings, asked 70,000 times a check
def resolve_path(doc_path: str, target: str) -> str | None:
    """Workspace-relative POSIX path of a link target; None when it leaves the workspace."""
    if target.startswith("/") or (len(target) > 1 and target[1] == ":"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), target))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def decode_spec(path: str, data: bytes, max_size: int) -> tuple[str | None, Finding | None]:
    """Text of a spec file, or the finding that says why it cannot be read."""

    def problem(line: int, message: str) -> Finding:
        return Finding(
            Code.UNREADABLE_FILE, Severity.ERROR, message, path, Range.of(line, 0, line, 0)
        )

    if len(data) > max_size:
        return None, problem(0, f"file is {len(data):,} bytes, over the limit of {max_size:,}")
    if b"\0" in data[:8192]:
        return None, problem(0, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start)
        return None, problem(line, f"invalid UTF-8 at byte {exc.start}: {exc.reason}")


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config = field(default_factory=Config)
    config_path: Path | None = None
    docs: Mapping[str, SpecDocument] = field(default_factory=dict)
    lock: Lock | None = None
    problems: tuple[Finding, ...] = ()  # config and lock errors
    unreadable: Mapping[str, Finding] = field(default_factory=dict)
    revision: int = 0

    # --- construction -------------------------------------------------------------------

    @classmethod
    def load(cls, root: Path, fs: FileSystem = REAL_FS) -> Workspace:
        """Every spec of `root`, parsed, or read from the persistent parse cache.

        Parsing is in-process on purpose: a process pool (fork, two workers, the
        documents sent back marshalled) made a cold load of the 1,000-spec benchmark
        slower on the 2-core machine it was measured on (7.3-8.6 s against 6.0-6.5 s
        serial, with other work running), since the parent's decoding and the
        workers' start cost about what the second core saves.
        """
        root = root.resolve()
        ws = cls(root=root).with_config_reloaded().with_lock_reloaded(fs)
        docs: dict[str, SpecDocument] = {}
        unreadable: dict[str, Finding] = {}
        # The persistent parse cache serves files on disk (the real file system, or
        # the server's counting view of it); a fake one in a test has no disk.
        cache = ParseCache.open(root) if getattr(fs, "on_disk", False) else None
        with gc_paused():
            for rel in ws.discover(fs):
                doc, problem = ws._read(rel, fs, cache)
                if doc is not None:
                    docs[rel] = doc
                if problem is not None:
                    unreadable[rel] = problem
            if cache is not None:
                cache.flush()
        return replace(ws, docs=docs, unreadable=unreadable)

    def discover(self, fs: FileSystem = REAL_FS) -> list[str]:
        found: list[str] = []
        for dirpath, dirnames, filenames in fs.walk(self.root):
            rel_dir = dirpath.relative_to(self.root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in ALWAYS_EXCLUDED
                and not any_match(self.config.exclude, posixpath.join(rel_dir, d))
            )
            for name in sorted(filenames):
                rel = posixpath.join(rel_dir, name)
                if self.is_spec_path(rel):
                    found.append(rel)
        return found

    def is_spec_path(self, rel: str) -> bool:
        parts = rel.split("/")
        if any(p in ALWAYS_EXCLUDED for p in parts[:-1]):
            return False
        if any_match(self.config.exclude, rel):
            return False
        return any_match(self.config.include, rel)

    def _read(
        self, rel: str, fs: FileSystem, cache: ParseCache | None = None
    ) -> tuple[SpecDocument | None, Finding | None]:
        try:
            data = fs.read_bytes(self.root / rel)
        except OSError as exc:
            return None, Finding(
                Code.UNREADABLE_FILE, Severity.ERROR, f"cannot read: {exc.strerror}", rel
            )
        name = None
        if cache is not None and len(data) <= self.config.max_file_size:
            # A hit was once decoded and parsed from these very bytes, path and layout.
            name = cache.name(rel, layout_for(rel, self.config).name, data)
            if (doc := cache.get(name, rel)) is not None:
                return doc, None
        text, problem = decode_spec(rel, data, self.config.max_file_size)
        if text is None:
            return None, problem
        doc, problem = self.parse(rel, text)
        if cache is not None and name is not None and doc is not None and problem is None:
            cache.put(name, doc)
        return doc, problem

    def parse(self, rel: str, text: str) -> tuple[SpecDocument | None, Finding | None]:
        """A spec's text parsed with the layout the configured globs give it, or an
        internal-error finding: one document the parser chokes on must not stop the
        root from loading (issue 9)."""
        try:
            return parse_document(rel, text, layout_for(rel, self.config)), None
        except Exception as exc:
            return None, internal_error(f"parsing {rel}", exc, rel)

    # --- incremental updates ------------------------------------------------------------

    def with_text(self, rel: str, text: str) -> Workspace:
        """The workspace with one document's text replaced (an editor buffer)."""
        return self._with_read(rel, *self.parse(rel, text))

    def with_file(self, rel: str, fs: FileSystem = REAL_FS) -> Workspace:
        """The workspace after a spec file changed, appeared or vanished on disk."""
        if fs.stat(self.root / rel) is None or not self.is_spec_path(rel):
            return self.without_doc(rel)
        return self._with_read(rel, *self._read(rel, fs))

    def _with_read(self, rel: str, doc: SpecDocument | None, problem: Finding | None) -> Workspace:
        """One document read again: it keeps its place (findings must not depend on
        the order edits arrived), or becomes unreadable."""
        docs = dict(self.docs)
        unreadable = {k: v for k, v in self.unreadable.items() if k != rel}
        if doc is None:
            docs.pop(rel, None)
        else:
            docs[rel] = doc
        if problem is not None:
            unreadable[rel] = problem
        return replace(self, docs=docs, unreadable=unreadable, revision=self.revision + 1)

    def without_doc(self, rel: str) -> Workspace:
        if rel not in self.docs and rel not in self.unreadable:
            return self
        docs = {k: v for k, v in self.docs.items() if k != rel}
        unreadable = {k: v for k, v in self.unreadable.items() if k != rel}
        return replace(self, docs=docs, unreadable=unreadable, revision=self.revision + 1)

    def with_lock_reloaded(self, fs: FileSystem = REAL_FS) -> Workspace:
        problems = [p for p in self.problems if p.code is not Code.BAD_LOCK]
        lock: Lock | None = None
        try:
            lock = load_lock(self.root / LOCK_NAME)
        except LockError as exc:
            problems.append(
                Finding(
                    Code.BAD_LOCK,
                    Severity.ERROR,
                    exc.message,
                    LOCK_NAME,
                    Range.of(exc.line - 1, 0, exc.line - 1, 0),
                )
            )
        return replace(self, lock=lock, problems=tuple(problems), revision=self.revision + 1)

    def with_config_reloaded(self) -> Workspace:
        problems = [p for p in self.problems if p.code is not Code.BAD_CONFIG]
        try:
            config, path = load_config(self.root)
        except ConfigError as exc:
            config, path = Config(), exc.path
            rel = exc.path.relative_to(self.root).as_posix()
            problems.append(
                Finding(
                    Code.BAD_CONFIG,
                    Severity.ERROR,
                    exc.message,
                    rel,
                    Range.of(exc.line - 1, 0, exc.line - 1, 0),
                )
            )
        return replace(
            self,
            config=config,
            config_path=path,
            problems=tuple(problems),
            revision=self.revision + 1,
        )

    @property
    def lock_is_broken(self) -> bool:
        return any(p.code is Code.BAD_LOCK for p in self.problems)

    # --- lookups ------------------------------------------------------------------------

    def rel(self, path: Path) -> str | None:
        """Workspace-relative POSIX path of an absolute path, None when outside."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    @cached_property
    def sections_by_ref(self) -> dict[str, tuple[SpecDocument, Section]]:
        out: dict[str, tuple[SpecDocument, Section]] = {}
        for doc in self.docs.values():
            for section in doc.sections:
                out.setdefault(unit_ref(doc.path, section), (doc, section))
        return out

    @cached_property
    def spec_paths(self) -> frozenset[str]:
        """Every spec file of the root, readable or not (outputs must never be one)."""
        return frozenset(self.docs) | frozenset(self.unreadable)

    def section(self, ref: str) -> tuple[SpecDocument, Section] | None:
        return self.sections_by_ref.get(ref)

    def target_ref(self, doc_path: str, directive: Directive) -> str | None:
        """The section/document reference a `@use` points at (None when a plain file).

        Only a spec of this workspace has sections: any other file, Markdown
        included (`docs/policy.md`), is a hand-written file whose whole text
        is an input.
        """
        if not directive.path:
            return f"{doc_path}#{directive.fragment}" if directive.fragment else None
        resolved = resolve_path(doc_path, directive.path)
        if resolved is None or resolved not in self.docs:
            return None
        return f"{resolved}#{directive.fragment}" if directive.fragment else resolved
