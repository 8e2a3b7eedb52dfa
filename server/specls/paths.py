"""Where a generated output may be written: one policy for the check and the write.

A spec from a cloned repository is untrusted input, and the built-in tangle
runs in any workspace because it starts no process. So the paths it may
write are limited, whatever the spec says:

- never inside `.git`, `.hg`, `.svn` or `.specls` (a `.git/config` with
  `core.fsmonitor` runs a command at the next `git status`), at any depth and
  in any letter case (macOS and Windows file systems ignore case);
- never a spec file, a `spec.lock` or a `specls.toml` (at any depth: each is
  a root marker or a source of truth), nor the root's `pyproject.toml`;
- never in another dot-directory or as a dot-file (`.vscode/settings.json`,
  `.github/workflows/*`, `.pre-commit-config.yaml`, `.envrc` run code or CI
  jobs without anyone reading them) unless the workspace config lists it in
  `allow_dot_paths` (`[".github"]`: a name matches that component at any
  depth; an entry with a `/` is a path prefix from the root);
- the rules apply to the path as written and to where it really leads
  through symlinks (`link -> .git`).

`StructureChecks.check_directive` reports a violation as SPEC119 on the
directive; `transaction.apply_files` refuses it again at write time.
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path

from specls.config import ALWAYS_EXCLUDED, Config
from specls.globs import any_match
from specls.lock import LOCK_NAME

NEVER_INTO = (".git", ".hg", ".svn", ".specls")
NEVER_NAMED = (LOCK_NAME, "specls.toml")  # at any depth
NEVER_AT_ROOT = ("pyproject.toml",)


def _is_spec(config: Config, rel: str) -> bool:
    parts = rel.split("/")
    if any(p in ALWAYS_EXCLUDED for p in parts[:-1]) or any_match(config.exclude, rel):
        return False
    return any_match(config.include, rel)


def _allowed_dot(config: Config, parts: list[str], index: int) -> bool:
    """Whether `allow_dot_paths` covers the dot-component `parts[index]`: a bare name
    matches it at any depth, an entry with a `/` covers the subtree it names."""
    name = parts[index].casefold()
    full = "/".join(parts).casefold()
    for entry in config.allow_dot_paths:
        entry = entry.strip("/").casefold()
        if "/" not in entry and name == entry:
            return True
        if "/" in entry and (full == entry or full.startswith(entry + "/")):
            return True
    return False


def _lexical(config: Config, rel: str, specs: frozenset[str]) -> str | None:
    parts = rel.split("/")
    folded = [p.casefold() for p in parts]
    for i, part in enumerate(folded):
        if part in NEVER_INTO:
            where = "/".join(parts[: i + 1])
            return f"{rel} is inside {where}, which specls never writes"
    if folded[-1] in NEVER_NAMED or (len(parts) == 1 and folded[0] in NEVER_AT_ROOT):
        return f"{rel} is a specls or project configuration file, which specls never writes"
    if rel in specs or _is_spec(config, rel):
        return f"{rel} is a spec file, which specls never writes"
    for i, part in enumerate(parts):
        if part.startswith(".") and part not in (".", "..") and not _allowed_dot(config, parts, i):
            where = "/".join(parts[: i + 1])
            return (
                f"{rel} is in {where}, a dot-path specls does not write unless"
                f' allow_dot_paths lists it (e.g. allow_dot_paths = ["{parts[i]}"])'
            )
    return None


class RealPaths:
    """`os.path.realpath` under one root, memoized per directory for one pass.

    `realpath` lstat()s every component of the path on every call; over
    10,000 outputs in a few dozen folders that was most of a check. Here a
    folder is resolved once and each file costs one `lstat` (a symlink as the
    last component is resolved in full). The result equals `realpath`'s.
    """

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.real_root = os.path.realpath(root)
        self._dirs: dict[str, str] = {}
        self._files: dict[str, str] = {}

    def _dir(self, rel_dir: str) -> str:
        found = self._dirs.get(rel_dir)
        if found is None:
            found = self._dirs[rel_dir] = os.path.realpath(os.path.join(self.root, rel_dir))
        return found

    def of(self, rel: str) -> str:
        """The real absolute path of `rel` (workspace-relative, normalized)."""
        found = self._files.get(rel)
        if found is not None:
            return found
        head, tail = posixpath.split(rel)
        if tail in ("", ".", ".."):
            found = os.path.realpath(os.path.join(self.root, rel))
        else:
            joined = os.path.join(self._dir(head), tail)
            try:
                is_link = stat.S_ISLNK(os.lstat(joined).st_mode)
            except OSError:
                is_link = False  # missing (or under a file): realpath keeps it as written
            found = os.path.realpath(joined) if is_link else joined
        self._files[rel] = found
        return found

    def escapes(self, rel: str) -> bool:
        """True when `rel` reaches outside the root through a symlink."""
        real = self.of(rel)
        return not (real == self.real_root or real.startswith(self.real_root + os.sep))


class OutputPolicy:
    """`forbidden_output` for one workspace snapshot, memoized per path (one pass of
    the analysis asks about the same output from several directives)."""

    def __init__(
        self, root: Path, config: Config, specs: frozenset[str], real: RealPaths | None = None
    ) -> None:
        self.root = root
        self.config = config
        self.specs = specs
        self.real = real or RealPaths(root)
        self._why: dict[str, str | None] = {}

    def forbidden(self, rel: str) -> str | None:
        if rel in self._why:
            return self._why[rel]
        why = self._why[rel] = forbidden_output(self.root, self.config, rel, self.specs, self.real)
        return why


def forbidden_output(
    root: Path,
    config: Config,
    rel: str,
    specs: frozenset[str] = frozenset(),
    real_paths: RealPaths | None = None,
) -> str | None:
    """Why `rel` (workspace-relative, POSIX) must not be written as an output; None if it may.

    `specs` are the spec paths known to the workspace (those the config globs
    find are refused anyway). Checks the path as written, then the real path
    it reaches through symlinks; a path leading outside the root is refused.
    `real_paths` (for `root`) memoizes the symlink resolution over many calls.
    """
    rel = posixpath.normpath(rel)
    if rel in (".", "") or rel == ".." or rel.startswith("../") or posixpath.isabs(rel):
        return f"{rel} is outside the workspace"
    why = _lexical(config, rel, specs)
    if why is not None:
        return why
    if real_paths is not None:
        real_root, real = real_paths.real_root, real_paths.of(rel)
    else:
        real_root = os.path.realpath(root)
        real = os.path.realpath(os.path.join(root, rel))
    prefix = real_root.rstrip(os.sep) + os.sep
    if real == real_root or not real.startswith(prefix):
        return f"{rel} resolves outside the workspace (through a symlink)"
    real_rel = real[len(prefix) :].replace(os.sep, "/")
    if real_rel != rel:
        why = _lexical(config, real_rel, specs)
        if why is not None:
            return f"{rel} leads to {real_rel} through a symlink: {why}"
    return None
