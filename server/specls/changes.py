"""`specls check --changed-since REF`: only what a git range touched.

A pull request should be judged on what it changed, not on the debt the
base branch already carries. The range is the merge base of REF and HEAD up
to the working tree (committed, staged, unstaged and untracked files), as
`git diff REF...` plus local changes. In scope: findings in the files it
touched, and findings of the units it reaches — units whose spec section,
outputs, `@use` files or lock entry changed, and every unit that depends on
a changed section through `@use`, transitively.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from specls.dialect import DirectiveKind, SpecDocument, parse_document
from specls.findings import Finding
from specls.lock import LOCK_NAME, Lock, LockError, parse_lock
from specls.status import Analysis
from specls.units import Graph, section_hash
from specls.workspace import Workspace, unit_ref


class ChangesError(Exception):
    """git cannot answer (not a repository, unknown ref): a usage error, not a finding."""


def _git(cwd: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    except FileNotFoundError:
        raise ChangesError("--changed-since needs git, which is not on PATH") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise ChangesError(detail[-1] if detail else f"git {args[0]} failed")
    return proc.stdout


@dataclass(frozen=True)
class Changes:
    """Files a range touched (workspace-relative) and a way to read their old text."""

    root: Path
    top: Path  # the repository's top level
    base: str  # the commit the range starts from
    files: frozenset[str]

    def old_text(self, rel: str) -> str | None:
        """`rel` as it was at the base commit (None when it did not exist there)."""
        repo_path = (self.root / rel).relative_to(self.top).as_posix()
        try:
            return _git(self.top, "show", f"{self.base}:{repo_path}")
        except ChangesError:
            return None


def changed_files(root: Path, ref: str) -> Changes:
    """What changed in the workspace at `root` since the merge base of `ref` and HEAD."""
    root = root.resolve()
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve()
    except ChangesError as exc:
        raise ChangesError(f"--changed-since: {root} is not in a git repository ({exc})") from None
    try:
        target = _git(top, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    except ChangesError:
        raise ChangesError(f"--changed-since: unknown git revision '{ref}'") from None
    target = target.strip()
    try:
        base = _git(top, "merge-base", target, "HEAD").strip()
    except ChangesError:
        base = target  # no common history (or no HEAD yet): compare with the ref itself
    tracked = _git(top, "diff", "--name-only", "--no-renames", "-z", base, "--")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z")
    files: set[str] = set()
    for repo_path in (tracked + untracked).split("\0"):
        if not repo_path:
            continue
        absolute = top / repo_path
        if absolute.is_relative_to(root):
            files.add(absolute.relative_to(root).as_posix())
    return Changes(root, top, base, frozenset(files))


def _section_hashes(doc: SpecDocument | None) -> dict[str, str]:
    if doc is None:
        return {}
    hashes = {unit_ref(doc.path, s): section_hash(doc, s) for s in doc.sections}
    hashes[doc.path] = section_hash(doc, doc.sections[0])
    return hashes


def _old_lock(changes: Changes) -> Lock:
    text = changes.old_text(LOCK_NAME)
    if not text:
        return Lock()
    try:
        return parse_lock(Path(LOCK_NAME), text)
    except LockError:
        return Lock()  # then every unit in today's lock counts as changed


def affected_units(ws: Workspace, analysis: Analysis, changes: Changes) -> set[str]:
    """Units the change reaches: their section, outputs, `@use` files or lock entry
    changed, or a section they depend on (transitively) did."""
    graph = Graph(ws)
    changed_refs: set[str] = set()
    for rel in changes.files:
        if rel not in ws.docs and not ws.is_spec_path(rel):
            continue
        old = changes.old_text(rel)
        old_doc = parse_document(rel, old) if old is not None else None
        before, after = _section_hashes(old_doc), _section_hashes(ws.docs.get(rel))
        changed_refs.update(
            r for r in before.keys() | after.keys() if before.get(r) != after.get(r)
        )
    if LOCK_NAME in changes.files:
        old_units = _old_lock(changes).units
        new_units = ws.lock.units if ws.lock else {}
        changed_refs.update(
            r for r in old_units.keys() | new_units.keys() if old_units.get(r) != new_units.get(r)
        )
    reached = graph.dependents(changed_refs)
    touched = set(changes.files)
    for ref, unit in graph.units.items():
        outputs = any(o.path in touched for o in unit.outputs)
        gone = any(  # a `@use` of a section that is gone has no edge left in the graph
            d.kind is DirectiveKind.USE and ws.target_ref(unit.doc.path, d) in changed_refs
            for d in unit.directives
        )
        if outputs or gone or graph.use_files(unit) & touched:
            reached.add(ref)
    return reached | (changed_refs & set(analysis.orphans))


def in_scope(
    findings: Iterable[Finding], ws: Workspace, changes: Changes, units: set[str]
) -> list[Finding]:
    """The findings in touched files, of reached units, or inside a reached unit's section."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for ref in units:
        found = ws.section(ref)
        if found is not None:
            doc, section = found
            spans.setdefault(doc.path, []).append(
                (section.range.start.line, section.range.end.line)
            )
    kept = []
    for f in findings:
        line = f.range.start.line
        if (
            f.path in changes.files
            or (f.unit is not None and f.unit in units)
            or any(lo <= line <= hi for lo, hi in spans.get(f.path, ()))
        ):
            kept.append(f)
    return kept


def restrict(ws: Workspace, analysis: Analysis, findings: list[Finding], ref: str) -> list[Finding]:
    """`findings` limited to what the range since `ref` touched; raises `ChangesError`."""
    changes = changed_files(ws.root, ref)
    return in_scope(findings, ws, changes, affected_units(ws, analysis, changes))
