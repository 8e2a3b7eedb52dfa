"""Spec layouts as plug-ins (Spec Kit, Kiro, OpenSpec, plain `*.spec.md`).

Each layout says which files are its specs, which symbols it scans
(requirements, criteria, tasks, scenarios), how references expand, its
checks, what may be renamed and its completion triggers (`base.Layout`).
Each spec file has exactly one layout, decided by the configured globs;
adding a layout is one module and one line in `LAYOUTS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specls.dialect.model import SpecDocument
from specls.globs import any_match
from specls.layouts.base import Layout, Trigger
from specls.layouts.kiro import Kiro
from specls.layouts.openspec import OpenSpec
from specls.layouts.speckit import SpecKit
from specls.layouts.specls import Specls

if TYPE_CHECKING:
    from specls.config import Config

# The registry. A file takes the first layout whose globs match it (a `*.spec.md`
# is a specls spec wherever it is); the plain specls layout also takes any
# included file no layout claims.
LAYOUTS: tuple[Layout, ...] = (
    Specls(),
    SpecKit(),
    Kiro(),
    OpenSpec(),
)
_BY_NAME = {layout.name: layout for layout in LAYOUTS}
FALLBACK = LAYOUTS[0]

__all__ = [
    "FALLBACK",
    "LAYOUTS",
    "Layout",
    "Trigger",
    "by_name",
    "default_include",
    "layout_for",
    "layout_of",
    "names",
]


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def by_name(name: str) -> Layout:
    """The layout called `name` (the fallback for a name no longer registered)."""
    return _BY_NAME.get(name, FALLBACK)


def layout_of(doc: SpecDocument) -> Layout:
    """The layout a parsed document was scanned with."""
    return by_name(doc.layout)


def globs_of(layout: Layout, config: Config | None = None) -> tuple[str, ...]:
    """A layout's globs: the configured ones (`[layouts] name = [...]`), else its own."""
    if config is not None and layout.name in config.layouts:
        return tuple(config.layouts[layout.name])
    return layout.globs


def default_include(overrides: dict[str, list[str]] | None = None) -> tuple[str, ...]:
    """The union of every layout's globs, in registry order."""
    out: list[str] = []
    for layout in LAYOUTS:
        globs = (overrides or {}).get(layout.name, layout.globs)
        out.extend(g for g in globs if g not in out)
    return tuple(out)


def layout_for(rel_path: str, config: Config | None = None) -> Layout:
    """The one layout of a workspace-relative spec path."""
    for layout in LAYOUTS:
        if any_match(globs_of(layout, config), rel_path):
            return layout
    return FALLBACK
