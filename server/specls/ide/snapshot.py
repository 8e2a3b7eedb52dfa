"""The frozen view of one root that editor features read.

The LSP host builds one per request from its session (with the live text of
open buffers); tests build one from text fixtures. It holds no protocol
types, so every editor feature is testable without a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from specls.analysis import Analysis
from specls.dialect import SpecDocument
from specls.outputs import OutputReader
from specls.status import analyze
from specls.workspace import Workspace


@dataclass(frozen=True)
class Snapshot:
    workspace: Workspace
    analysis: Analysis
    reader: OutputReader
    texts: Mapping[str, str] = field(default_factory=dict)  # open buffers by rel path

    @classmethod
    def of(cls, workspace: Workspace, reader: OutputReader | None = None) -> Snapshot:
        """A snapshot analysed from scratch (tests, one-shot hosts)."""
        reader = reader or OutputReader(workspace.root)
        return cls(workspace, analyze(workspace, reader), reader)

    @property
    def root(self) -> Path:
        return self.workspace.root

    def doc(self, rel: str) -> SpecDocument | None:
        return self.workspace.docs.get(rel)

    def text(self, rel: str) -> str | None:
        """A file's current text: the open buffer when there is one, else the disk."""
        if rel in self.texts:
            return self.texts[rel]
        return self.reader.text(rel)
