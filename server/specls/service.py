"""One workspace root with its output cache: what the CLI and the server share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from specls.outputs import OutputReader
from specls.status import Analysis, analyze
from specls.workspace import Workspace

ROOT_MARKERS = ("spec.lock", "specls.toml")
# Where a project starts when it has no specls file: its repository, its Python
# project, or the folder of the spec tool it uses.
PROJECT_MARKERS = (".git", "pyproject.toml", ".kiro", ".specify", "openspec")


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


@dataclass
class SpecService:
    workspace: Workspace
    reader: OutputReader

    @classmethod
    def open(cls, root: Path) -> SpecService:
        ws = Workspace.load(root)
        return cls(ws, OutputReader(ws.root))

    def analyze(self) -> Analysis:
        return analyze(self.workspace, self.reader)

    def reload(self) -> None:
        self.workspace = Workspace.load(self.workspace.root)
