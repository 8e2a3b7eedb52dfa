"""The library both hosts use: open a root, analyse it, and the one write path.

The CLI and the language server differ only in how files reach the user's
tree: the CLI writes to disk; the server hands open buffers to the editor
(`workspace/applyEdit`) and writes the rest to disk. Both go through
`commit`, which takes the root's writer lock, re-reads `spec.lock` from disk
inside it (never a cached copy: a lock that became corrupt since the last
read is refused, not overwritten), backs up hand-edited outputs, writes the
files, and changes only the lock entries of the units this write concerns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from specls import history
from specls.lock import LOCK_NAME, Lock, LockError, LockUnit, dump_lock, load_lock
from specls.outputs import OutputReader
from specls.regen.engine import (
    Plan,
    UnitEvent,
    back_up,
    plan_regen,
    prune_refs,
    stamp_entries,
)
from specls.regen.tangle import GenerationError
from specls.regen.transaction import apply_files, recover
from specls.status import Analysis, analyze
from specls.workspace import Workspace
from specls.writelock import DEFAULT_WAIT, WriterBusy, acquire, release

ROOT_MARKERS = ("spec.lock", "specls.toml")
# Where a project starts when it has no specls file: its repository, its Python
# project, or the folder of the spec tool it uses.
PROJECT_MARKERS = (".git", "pyproject.toml", ".kiro", ".specify", "openspec")

# How a write reaches the tree: (workspace, {path: new text}, new spec.lock bytes or None
# when it is unchanged) -> None. The lock must be written last, in the same transaction.
FileWriter = Callable[[Workspace, Mapping[str, str], bytes | None], None]


class WriteRefused(Exception):
    """Nothing was written; the message says why and what to do."""


def find_root(start: Path) -> Path:
    """The workspace root for a path given on the command line.

    The nearest directory at or above `start` with a spec.lock or specls.toml;
    else the nearest with a `.git`, `pyproject.toml`, `.kiro`, `.specify` or
    `openspec/` (so `specls check specs/001-x` checks the project, not a
    folder where no layout glob matches); else `start` (a file: its folder).
    """
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for markers in (ROOT_MARKERS, PROJECT_MARKERS):
        for d in (here, *here.parents):
            if any((d / m).exists() for m in markers):
                return d
    return here


def write_to_disk(ws: Workspace, files: Mapping[str, str], lock: bytes | None) -> None:
    """The CLI's writer: every file, then the lock, in one transaction (all change or
    none; a crash is finished by `recover`), each path checked against the policy of
    what a spec may write (`paths.forbidden_output`)."""
    if files or lock is not None:
        apply_files(
            ws.root,
            {p: t.encode("utf-8") for p, t in files.items()},
            config=ws.config,
            specs=ws.spec_paths,
            lock=lock,
        )


@dataclass(frozen=True)
class Change:
    """What one write does: outputs to replace and lock entries to set or drop."""

    files: Mapping[str, str] = field(default_factory=dict)
    backups: tuple[str, ...] = ()  # hand-edited outputs to copy aside first
    set_units: Mapping[str, LockUnit] = field(default_factory=dict)
    drop_units: tuple[str, ...] = ()
    # what each output is as written, by its lock hash: recorded under .specls/history/
    # so a later hand edit can be diffed against it (`history.py`)
    generated: Mapping[str, str] = field(default_factory=dict)


def merged_lock(on_disk: Lock, change: Change) -> Lock:
    """`on_disk` with only this change's entries replaced.

    An entry that differs from the one on disk only by its `generated`
    timestamp keeps the old one, so regenerating a fresh unit leaves the lock
    byte-identical (`regen --all && git diff --exit-code` works in CI).
    """
    units = dict(on_disk.units)
    conflicts = dict(on_disk.conflicts)
    for ref in change.drop_units:
        units.pop(ref, None)
        conflicts.pop(ref, None)
    for ref, entry in change.set_units.items():
        old = units.get(ref)
        same = old is not None and old == entry.model_copy(update={"generated": old.generated})
        if same and ref not in conflicts:
            continue
        units[ref] = entry
        conflicts.pop(ref, None)  # writing a unit resolves its merge conflict
    return Lock(version=on_disk.version, units=units, conflicts=conflicts)


def read_lock_for_write(root: Path) -> tuple[Lock, bytes | None]:
    """The lock as it is on disk now, and its bytes; refuses a lock it cannot read."""
    path = root / LOCK_NAME
    try:
        lock = load_lock(path)
        raw = path.read_bytes() if lock is not None else None
    except LockError as exc:
        raise WriteRefused(
            f"{LOCK_NAME}:{exc.line}: {exc.message}; fix the lock first (it was left as it is)"
        ) from None
    except OSError as exc:
        raise WriteRefused(f"{LOCK_NAME}: cannot read: {exc.strerror}") from None
    return lock or Lock(), raw


@contextlib.contextmanager
def writing(root: Path, wait: float = DEFAULT_WAIT) -> Iterator[list[str]]:
    """Hold the root's writer lock; another writer for longer than `wait` is a refusal.

    Inside it, first finish or undo the transactions a killed writer left
    (`recover`; its stray temp files are removed by the next transaction in their
    folder, or by the CLI's full sweep); the context gives what was recovered.
    """
    try:
        fd = acquire(root, wait)
    except WriterBusy as exc:
        raise WriteRefused(str(exc)) from None
    try:
        yield recover(root, dirs=())
    finally:
        release(root, fd)


def commit_held(ws: Workspace, change: Change, write_files: FileWriter = write_to_disk) -> Lock:
    """Apply `change`; the caller holds the writer lock. The lock as written (or as it was)."""
    lock, raw = read_lock_for_write(ws.root)
    back_up(ws.root, list(change.backups))
    new = merged_lock(lock, change)
    data = dump_lock(new).encode("utf-8")
    changed = data != raw and (raw is not None or bool(new.units))
    write_files(ws, change.files, data if changed else None)
    history.record(ws.root, change.generated)
    return new


def commit(
    ws: Workspace,
    change: Change,
    write_files: FileWriter = write_to_disk,
    wait: float = DEFAULT_WAIT,
) -> Lock:
    """Apply `change` under the root's writer lock."""
    with writing(ws.root, wait):
        return commit_held(ws, change, write_files)


@dataclass
class RegenOutcome:
    plan: Plan
    written: bool
    # Units whose outputs went to unsaved editor buffers: their lock entries wait for
    # the save (unit -> (entry, the paths to be saved)).
    deferred: dict[str, tuple[LockUnit, set[str]]] = field(default_factory=dict)


@dataclass
class SpecService:
    """One workspace root with its output cache."""

    workspace: Workspace
    reader: OutputReader

    @classmethod
    def open(cls, root: Path) -> SpecService:
        ws = Workspace.load(root)
        return cls(ws, OutputReader(ws.root))

    @property
    def root(self) -> Path:
        return self.workspace.root

    def analyze(self) -> Analysis:
        return analyze(self.workspace, self.reader)

    def reload(self) -> None:
        self.workspace = Workspace.load(self.workspace.root)

    # --- the write path -----------------------------------------------------------------
    #
    # Each write holds the writer lock from planning to commit (DESIGN §2): inside it,
    # the lock is re-read from disk and the analysis brought up to date with it, so a
    # plan never rests on what another writer changed meanwhile.

    def _current(self, analysis: Analysis, overlay: Mapping[str, LockUnit]) -> Analysis:
        """The analysis against the lock as it is on disk now (plus `overlay`: entries
        not on disk yet that count, an editor's regenerated buffers awaiting a save)."""
        on_disk, _ = read_lock_for_write(self.root)  # refuses a lock broken on disk now
        wanted = on_disk.with_units(dict(overlay)) if overlay else on_disk
        before = self.workspace
        if before.lock is not None and wanted == before.lock:
            return analyze(before, self.reader, (before, analysis))
        self.workspace = replace(before.with_lock_reloaded(), lock=wanted)
        # incremental: only the units whose lock entries changed (and, the reader
        # being unwatched, those whose files changed on disk) are computed again
        return analyze(self.workspace, self.reader, (before, analysis))

    def regenerate(
        self,
        analysis: Analysis,
        refs: list[str],
        *,
        force: bool = False,
        trusted: bool = True,
        allowed: Callable[[str], bool] = lambda name: True,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Callable[[str, int, int], None] = lambda ref, i, n: None,
        write_files: FileWriter = write_to_disk,
        dry_run: bool = False,
        buffers: frozenset[str] = frozenset(),
        overlay: Mapping[str, LockUnit] | None = None,
        wait: float = DEFAULT_WAIT,
        generator: str | None = None,
        jobs: int = 1,
        on_event: Callable[[UnitEvent], None] = lambda event: None,
    ) -> RegenOutcome:
        """Plan (generators run, nothing written), then commit when every unit succeeded.

        `buffers`: outputs open in an editor, which `write_files` hands to it; the
        lock entries of their units are returned as deferred instead of written.
        """
        with writing(self.root, wait):
            analysis = self._current(analysis, overlay or {})
            plan = plan_regen(
                self.workspace,
                analysis,
                self.reader,
                refs,
                force=force,
                trusted=trusted,
                allowed=allowed,
                cancelled=cancelled,
                progress=progress,
                generator=generator,
                jobs=jobs,
                on_event=on_event,
            )
            if not plan.ok or not plan.results or dry_run or cancelled():
                return RegenOutcome(plan, False)
            deferred = {
                r.ref: (r.lock_entry, set(r.files) & buffers)
                for r in plan.results
                if set(r.files) & buffers
            }
            change = Change(
                files=plan.files,
                backups=tuple(plan.edited_paths),
                set_units={r.ref: r.lock_entry for r in plan.results if r.ref not in deferred},
                drop_units=tuple(r.replaces for r in plan.results if r.replaces),
                generated=_generated(
                    analysis, {r.ref: r.lock_entry for r in plan.results}, plan.files
                ),
            )
            commit_held(self.workspace, change, write_files)
        for path in plan.files:
            self.reader.forget(path)
        return RegenOutcome(plan, True, deferred)

    def stamp(self, analysis: Analysis, refs: Iterable[str], wait: float = DEFAULT_WAIT) -> Lock:
        """Accept the current outputs of `refs` as fresh."""
        with writing(self.root, wait):
            analysis = self._current(analysis, {})
            try:
                entries, replaced = stamp_entries(self.workspace, analysis, self.reader, list(refs))
            except GenerationError as exc:
                raise WriteRefused(str(exc)) from None
            texts = {
                o.output.path: text
                for ref in entries
                if ref in analysis.units
                for o in analysis.units[ref].outputs
                if (text := self.reader.text(o.output.path)) is not None
            }
            change = Change(
                set_units=entries,
                drop_units=tuple(replaced),
                generated=_generated(analysis, entries, texts),
            )
            return commit_held(self.workspace, change)

    def prune(self, analysis: Analysis, wait: float = DEFAULT_WAIT) -> Lock:
        """Drop the lock entries of sections that no longer exist."""
        with writing(self.root, wait):
            analysis = self._current(analysis, {})
            drop = tuple(prune_refs(self.workspace, analysis))
            return commit_held(self.workspace, Change(drop_units=drop))


def _generated(
    analysis: Analysis, entries: Mapping[str, LockUnit], texts: Mapping[str, str]
) -> dict[str, str]:
    """{lock hash: content} of the outputs of `entries`, for `history.record`."""
    outputs = [
        (o.output.path, o.output.symbol, digest)
        for ref, entry in entries.items()
        if ref in analysis.units
        for o in analysis.units[ref].outputs
        if (digest := entry.outputs.get(o.key))
    ]
    return history.generated_contents(outputs, texts)
