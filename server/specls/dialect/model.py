"""The parsed form of one spec document: plain frozen data, no behaviour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from specls.findings import Finding
from specls.text import Range


class DirectiveKind(StrEnum):
    GENERATE = "generate"
    TEST = "test"
    USE = "use"
    DESCRIBE = "describe"

    @property
    def is_output(self) -> bool:
        return self in (DirectiveKind.GENERATE, DirectiveKind.TEST)


@dataclass(frozen=True, slots=True)
class Directive:
    kind: DirectiveKind
    target: str  # the link target as written: "../src/x.py#Sym", "#id", "a.spec.md#id"
    path: str  # the path part, "" for a same-document "#id"
    fragment: str | None  # symbol or section id after '#'
    range: Range  # the whole link `[@generate](…)`
    label_range: Range  # `@generate`
    target_range: Range  # the text between the parentheses


@dataclass(frozen=True, slots=True)
class Link:
    """A Markdown link with a `#fragment`: `[x](doc.spec.md#id)`, `[x](#id)`, `[@use](#id)`;
    or a relative link to a Markdown file, `[spec.md](./spec.md)` (`fragment` empty).

    Recorded for every real link (directives included) so that rename and
    semantic tokens work on what Markdown calls a link, never on a regex of
    their own. Whether the target is a spec section is the workspace's call:
    the chunk parser does not know which files are specs.
    """

    target: str  # as written between the parentheses (no `<>`, no title)
    path: str  # the decoded path part, "" for a same-document `#id`
    fragment: str  # the decoded fragment after '#'
    range: Range  # the whole link target
    fragment_range: Range  # the fragment as written, without the '#'


@dataclass(frozen=True, slots=True)
class CodeBlock:
    info: str
    language: str | None
    file: str | None  # the `file=` attribute, as written
    content: str
    range: Range  # from the opening fence to the closing fence (inclusive)
    info_range: Range
    file_range: Range | None  # the value of `file=`


@dataclass(frozen=True, slots=True)
class Marker:
    """An inline construct with text: a clarification marker or a requirement ID."""

    text: str
    range: Range


class RequirementKind(StrEnum):
    """The kinds of symbol the layouts (`specls.layouts`) scan; the dialect scans none."""

    SPECKIT = "speckit"  # **FR-001**, **SC-001**
    TASK = "task"  # - [ ] T001 …
    KIRO = "kiro"  # Requirement 1 / criterion 1.1
    OPENSPEC = "openspec"  # ### Requirement: name
    STORY = "story"  # ### User Story 1 - … (Priority: P1), cited as [US1]


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    kind: RequirementKind
    range: Range
    text: str  # the requirement line, for hover and completion detail


@dataclass(frozen=True, slots=True)
class Symbols:
    """What a layout found in one chunk: definitions, references, file paths.

    Positions are relative to the chunk's first line, like the chunk's own.
    """

    requirements: tuple[Requirement, ...] = ()
    refs: tuple[Marker, ...] = ()
    paths: tuple[Marker, ...] = ()


class SymbolScanner(Protocol):
    """The hook by which a layout adds its symbols to the generic parse.

    `scan` sees one section's own lines (fenced lines listed in `skip`) and is
    cached with the section, so it must be a pure function of its input;
    `link` sees the document's path and every section's requirements in
    order, for IDs that depend on an earlier heading (Kiro's criterion `N.M`)
    or on the file (Kiro defines requirements only in `requirements.md`). Instances are
    hashed by identity: one per layout.
    """

    @property
    def name(self) -> str: ...

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols: ...

    def link(
        self, path: str, sections: Sequence[tuple[Requirement, ...]]
    ) -> list[tuple[Requirement, ...]]: ...

    def __hash__(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Chunk:
    """What one section's own lines (heading to next heading) contain.

    Positions are relative to the chunk's first line so a chunk parsed once
    can be reused wherever its text moves; `Section` shifts them.
    """

    text: str
    directives: tuple[Directive, ...]
    code_blocks: tuple[CodeBlock, ...]
    clarifications: tuple[Marker, ...]
    requirements: tuple[Requirement, ...]
    requirement_refs: tuple[Marker, ...]
    path_refs: tuple[Marker, ...]  # file paths written in task lines
    unknown_directives: tuple[Marker, ...]
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and its content up to the next heading of the same or higher level.

    Index 0 of a document's sections is always the preamble (level 0, id "").
    """

    index: int
    level: int  # 0 = preamble, 1..6 = heading level
    title: str
    id: str
    explicit_id: bool
    heading_range: Range
    id_range: Range | None  # the `{#id}` suffix, when explicit
    range: Range  # heading through the last line of its subsections
    own_end_line: int  # last line of its own chunk (exclusive of subsections)
    parent: int | None
    children: tuple[int, ...]
    directives: tuple[Directive, ...]
    code_blocks: tuple[CodeBlock, ...]
    clarifications: tuple[Marker, ...]
    requirements: tuple[Requirement, ...]
    requirement_refs: tuple[Marker, ...]
    path_refs: tuple[Marker, ...]
    unknown_directives: tuple[Marker, ...]
    own_text: str
    links: tuple[Link, ...] = ()  # every link with a `#fragment` in the section's own text

    @property
    def is_unit(self) -> bool:
        return any(d.kind.is_output for d in self.directives)


@dataclass(frozen=True, slots=True)
class SpecDocument:
    path: str  # workspace-relative, POSIX
    text_hash: str
    sections: tuple[Section, ...]
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_range: Range | None = None
    problems: tuple[Finding, ...] = ()
    line_count: int = 0
    layout: str = "specls"  # the name of the layout that scanned its symbols

    def section_by_id(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id:
                return section
        return None

    def section_at(self, line: int) -> Section:
        """The innermost section whose own lines contain `line` (the preamble otherwise)."""
        found = self.sections[0]
        for section in self.sections[1:]:
            if section.heading_range.start.line <= line:
                found = section
            else:
                break
        return found

    @property
    def generator(self) -> str | None:
        value = self.front_matter.get("generator")
        return value if isinstance(value, str) else None
