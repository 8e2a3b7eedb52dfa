"""What a spec layout is: the one interface the rest of specls asks about IDs.

The dialect finds sections, directives, links and code blocks in any spec;
a layout adds what its tool writes on top: requirement IDs, criteria, tasks
and their traces (`scan`, per section and cached with it; `link`, once per
document), how IDs are scoped and how a reference expands, which IDs must
be traced, which may be renamed, what triggers completion, and the layout's
own rules (`check`). A layout is one instance: the parse cache keys on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from specls.dialect.model import Marker, Requirement, RequirementKind, SpecDocument, Symbols
from specls.findings import Finding
from specls.text import Position, Range, utf16_len

# What `expand` returns for a reference to every requirement of its scope ("All requirements").
EVERY = "*"


def span(line_no: int, line: str, start: int, end: int) -> Range:
    """The range of `line[start:end]`, in UTF-16 columns."""
    return Range(
        Position(line_no, utf16_len(line[:start])), Position(line_no, utf16_len(line[:end]))
    )


@dataclass(frozen=True, slots=True)
class Trigger:
    """Text before the cursor that asks for an ID: group 1 is what is typed so far.

    `kinds` are the kinds of definition to offer (None: every kind that can be
    referenced by ID); with `base`, those of the scope the document changes
    (`Layout.base_of`: an OpenSpec delta offers its base spec's requirements).
    """

    pattern: re.Pattern[str]
    kinds: frozenset[RequirementKind] | None = None
    base: bool = False


class Layout:
    """The default layout: no symbols, IDs scoped by directory, no rules."""

    name: ClassVar[str] = ""
    globs: ClassVar[tuple[str, ...]] = ()  # the default include patterns it contributes
    triggers: tuple[Trigger, ...] = ()  # completion triggers
    # Whether a reference resolves only in its own scope (a feature folder), never
    # falling back to a definition of the same ID elsewhere.
    strict_scope: ClassVar[bool] = False

    # --- symbols (per section, cached with it; then per document) ---------------------

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        """The symbols of one section's own lines (`skip`: lines inside fences)."""
        return Symbols()

    def link(
        self, path: str, sections: Sequence[tuple[Requirement, ...]]
    ) -> list[tuple[Requirement, ...]]:
        """Each section's requirements, given the whole document (IDs that need context)."""
        return list(sections)

    # --- IDs ---------------------------------------------------------------------------

    def scope(self, doc_path: str) -> str:
        """The scope an ID defined or written in `doc_path` belongs to."""
        return doc_path.rpartition("/")[0]

    def base_of(self, doc_path: str) -> str | None:
        """The scope whose definitions a document changes (an OpenSpec delta's base spec)."""
        return None

    def expand(self, ref: str, known: Callable[[str], bool] | None = None) -> list[str]:
        """The IDs a reference stands for (`4.1-4.3` → 4.1, 4.2, 4.3); `EVERY` for all.

        `known(id)` says whether an ID is defined where the reference resolves,
        for ranges whose ends alone do not say what lies between (`1.2-3.1`).
        """
        return [ref]

    def parents(self, rid: str) -> list[str]:
        """IDs whose reference also traces `rid` (Kiro's requirement 3 for criterion 3.2)."""
        return []

    def referable(self, req: Requirement) -> bool:
        """Whether a reference can name this definition (a Kiro task's number cannot)."""
        return True

    def must_trace(self, req: Requirement) -> bool:
        """Whether a definition nobody references is worth a SPEC108 note."""
        return False

    def unique(self, req: Requirement) -> bool:
        """Whether a second definition of this ID in its scope is an error (SPEC110)."""
        return True

    def renamable(self, rid: str) -> bool:
        """Whether an ID is a name (renamed with its traces) rather than a position."""
        return False

    def noun(self, req: Requirement) -> str:
        """What to call the symbol in a message: requirement, task, user story."""
        return self.noun_of(req.id)

    def noun_of(self, rid: str) -> str:
        """What to call an ID nobody defines, from its shape alone."""
        return "requirement"

    # --- rules -------------------------------------------------------------------------

    def check(self, docs: Sequence[SpecDocument]) -> list[Finding]:
        """The layout's own rules over all of its documents in the workspace."""
        return []

    def __repr__(self) -> str:
        return f"<layout {self.name}>"


def markers(line_no: int, line: str, pattern: re.Pattern[str], group: int = 0) -> list[Marker]:
    """A marker for each match of `pattern` in `line` (its `group`)."""
    return [
        Marker(m.group(group), span(line_no, line, *m.span(group))) for m in pattern.finditer(line)
    ]


def definition(
    line_no: int, line: str, m: re.Match[str], kind: RequirementKind, group: int = 1
) -> Requirement:
    """The requirement a definition match names, its text the whole line."""
    return Requirement(m.group(group), kind, span(line_no, line, *m.span(group)), line.strip())
