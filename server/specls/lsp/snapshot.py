"""A frozen view of one workspace root that every read-only feature works on.

Handlers never see the mutable session: they get a `Snapshot` taken when
the request arrived, so a request that runs in a thread cannot observe a
half-applied change (STYLE §1, ruff's DocumentSnapshot).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lsprotocol import types

from specls.dialect import SpecDocument
from specls.ide.snapshot import Snapshot as IdeSnapshot
from specls.lsp.convert import path_to_uri, uri_to_path
from specls.lsp.settings import Settings
from specls.outputs import OutputReader
from specls.status import Analysis
from specls.workspace import Workspace


@functools.lru_cache(maxsize=4096)
def _rel(root: Path, uri: str) -> str | None:
    """A document's path in a root (`Workspace.rel`): resolving it stats every folder on
    the way, and every request starts with it, so each URI is resolved once."""
    path = uri_to_path(uri)
    if path is None:
        return None
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


@dataclass(frozen=True)
class Snapshot:
    workspace: Workspace
    analysis: Analysis
    reader: OutputReader
    settings: Settings = field(default_factory=Settings)
    texts: Mapping[str, str] = field(default_factory=dict)  # open buffers by rel path
    client_name: str = ""
    versions: Mapping[str, int | None] = field(default_factory=dict)  # open buffers by URI
    capabilities: types.ClientCapabilities = field(default_factory=types.ClientCapabilities)
    trusted: bool = False  # the settings trust the workspace, and this root is a folder of it

    @property
    def root(self) -> Path:
        return self.workspace.root

    def rel(self, uri: str) -> str | None:
        return _rel(self.workspace.root, uri)

    def uri(self, rel: str) -> str:
        return path_to_uri(self.root / rel)

    def doc(self, uri: str) -> SpecDocument | None:
        rel = self.rel(uri)
        return self.workspace.docs.get(rel) if rel else None

    def text(self, rel: str) -> str | None:
        """A file's current text: the open buffer when there is one, else the disk."""
        if rel in self.texts:
            return self.texts[rel]
        return self.reader.text(rel)

    @cached_property
    def ide(self) -> IdeSnapshot:
        """The protocol-free view the `specls.ide` features take."""
        return IdeSnapshot(self.workspace, self.analysis, self.reader, self.texts)
