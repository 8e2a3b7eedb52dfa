"""One workspace root with its output cache: what the CLI and the server share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from specls.outputs import OutputReader
from specls.status import Analysis, analyze
from specls.workspace import Workspace

ROOT_MARKERS = ("spec.lock", "specls.toml")


def find_root(start: Path) -> Path:
    """The nearest directory at or above `start` with a spec.lock or specls.toml.

    Without one, a directory named explicitly is the root; a file's root is
    the enclosing git repository, else its directory.
    """
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for d in (here, *here.parents):
        if any((d / m).exists() for m in ROOT_MARKERS):
            return d
    if start.is_dir():
        return start
    return next((d for d in (here, *here.parents) if (d / ".git").exists()), here)


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
