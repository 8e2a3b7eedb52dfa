"""OpenSpec: `openspec/specs/<capability>/spec.md` and `openspec/changes/<id>/**`.

Requirements are named by their heading (`### Requirement: User login`),
each with a SHALL/MUST statement and at least one `#### Scenario:`. A
change's spec delta `changes/<id>/specs/<capability>/spec.md` groups them
under `## ADDED|MODIFIED|REMOVED|RENAMED Requirements` and changes the base
spec of the same capability: a MODIFIED or REMOVED requirement must exist
there (or be added by another active change: changes stack), an ADDED one
must not, a RENAMED `FROM:` must exist and its `TO:` must not collide.
`changes/archive/**` is history, not a live spec. Names are not referenced
by ID elsewhere, so nothing traces them and nothing renames them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from specls.dialect.model import Requirement, RequirementKind, Section, SpecDocument, Symbols
from specls.findings import Code, Finding, Related, Severity
from specls.layouts.base import Layout, Trigger, definition, span
from specls.text import Range

_REQ = re.compile(r"^#{3}\s+Requirement:\s*(.+?)\s*$")
_OPERATION = re.compile(r"^(ADDED|MODIFIED|REMOVED|RENAMED)\b", re.IGNORECASE)
_RENAME = re.compile(
    r"^\s*[-*+]?\s*(FROM|TO):\s*`?\s*(?:#+\s*)?(?:Requirement:\s*)?(?P<name>.+?)\s*`?\s*$",
    re.IGNORECASE,
)
_BASE = "openspec/specs/"
_CHANGES = "openspec/changes/"


@dataclass(frozen=True, slots=True)
class _Named:
    doc: SpecDocument
    name: str
    range: Range


def _capability(doc_path: str) -> str | None:
    """`auth` for a base spec or a delta of the `auth` capability."""
    if doc_path.startswith(_BASE) and doc_path.endswith("/spec.md"):
        return doc_path[len(_BASE) : -len("/spec.md")]
    parts = doc_path.split("/")
    if doc_path.startswith(_CHANGES) and len(parts) > 5 and parts[3] == "specs":
        return "/".join(parts[4:-1])
    return None


def _change(doc_path: str) -> str | None:
    parts = doc_path.split("/")
    return parts[2] if doc_path.startswith(_CHANGES) and len(parts) > 3 else None


def _operation(doc: SpecDocument, section: Section) -> str | None:
    """ADDED, MODIFIED, REMOVED or RENAMED: the delta section a requirement sits in."""
    current: Section | None = section
    while current is not None:
        if current.level == 2 and (m := _OPERATION.match(current.title)):
            return m.group(1).upper()
        current = doc.sections[current.parent] if current.parent is not None else None
    return None


def _renames(doc: SpecDocument, section: Section) -> list[tuple[str, _Named]]:
    """The `- FROM:` / `- TO:` lines of a RENAMED section, in order."""
    found: list[tuple[str, _Named]] = []
    first = section.heading_range.start.line
    for i, line in enumerate(section.own_text.split("\n")[1:], start=first + 1):
        if m := _RENAME.match(line):
            rng = span(i, line, *m.span("name"))
            found.append((m.group(1).upper(), _Named(doc, m.group("name"), rng)))
    return found


class OpenSpec(Layout):
    name: ClassVar[str] = "openspec"
    globs: ClassVar[tuple[str, ...]] = (
        "openspec/specs/**/spec.md",
        "openspec/changes/*/*.md",
        "openspec/changes/*/specs/**/spec.md",
    )
    triggers: tuple[Trigger, ...] = (
        Trigger(
            re.compile(r"^###\s+Requirement:\s*(.*)$"),
            frozenset({RequirementKind.OPENSPEC}),
            base=True,
        ),
        Trigger(
            re.compile(r"^\s*[-*+]?\s*FROM:\s*`?###\s+Requirement:\s*([^`]*)$"),
            frozenset({RequirementKind.OPENSPEC}),
            base=True,
        ),
    )

    def scan(self, lines: Sequence[str], skip: frozenset[int]) -> Symbols:
        requirements = [
            definition(line_no, line, d, RequirementKind.OPENSPEC)
            for line_no, line in enumerate(lines)
            if line_no not in skip and (d := _REQ.match(line))
        ]
        return Symbols(tuple(requirements))

    def scope(self, doc_path: str) -> str:
        cap = _capability(doc_path)
        change = _change(doc_path)
        if cap is not None and change is not None:
            return f"{_CHANGES}{change}/specs/{cap}"
        if cap is not None:
            return f"{_BASE}{cap}"
        return doc_path.rpartition("/")[0]

    def base_of(self, doc_path: str) -> str | None:
        cap = _capability(doc_path)
        return f"{_BASE}{cap}" if cap is not None and _change(doc_path) is not None else None

    def unique(self, req: Requirement) -> bool:
        # Names are checked by `check`: a delta repeats the name it changes.
        return req.kind is not RequirementKind.OPENSPEC

    def check(self, docs: Sequence[SpecDocument]) -> list[Finding]:
        found = [f for doc in docs for f in check_requirement_shape(doc)]
        return found + check_deltas(docs)


def check_requirement_shape(doc: SpecDocument) -> list[Finding]:
    """OpenSpec's validation: a requirement states SHALL/MUST and has a scenario."""
    found: list[Finding] = []
    for section in doc.sections:
        if not any(r.kind is RequirementKind.OPENSPEC for r in section.requirements):
            continue
        parent = doc.sections[section.parent] if section.parent is not None else None
        if parent is not None and parent.title.upper().startswith(("REMOVED", "RENAMED")):
            continue  # a removal states a reason and a migration, not behaviour
        text = "\n".join(doc.sections[i].own_text for i in (section.index, *section.children))
        if "SHALL" not in text and "MUST" not in text:
            found.append(
                Finding(
                    Code.OPENSPEC_NO_SHALL,
                    Severity.WARNING,
                    "requirement has no SHALL or MUST statement",
                    doc.path,
                    section.heading_range,
                )
            )
        if not any(doc.sections[i].title.startswith("Scenario:") for i in section.children):
            found.append(
                Finding(
                    Code.OPENSPEC_NO_SCENARIO,
                    Severity.WARNING,
                    "requirement has no '#### Scenario:'",
                    doc.path,
                    section.heading_range,
                )
            )
    return found


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_deltas(docs: Sequence[SpecDocument]) -> list[Finding]:
    """Tie each change's deltas to the base spec of their capability and validate them."""
    found: list[Finding] = []
    base: dict[str, dict[str, _Named]] = defaultdict(dict)
    # capability -> change -> operation -> names
    deltas: dict[str, dict[str, dict[str, list[_Named]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for doc in sorted(docs, key=lambda d: d.path):
        cap, change = _capability(doc.path), _change(doc.path)
        if cap is None:
            continue
        for section in doc.sections:
            if change is not None and section.level == 2 and _operation(doc, section) == "RENAMED":
                for op, named in _renames(doc, section):
                    deltas[cap][change][op].append(named)
            for r in section.requirements:
                if r.kind is not RequirementKind.OPENSPEC:
                    continue
                named = _Named(doc, r.id, r.range)
                if change is None:
                    first = base[cap].get(_key(r.id))
                    if first is not None:
                        found.append(_duplicate(named, first))
                    else:
                        base[cap][_key(r.id)] = named
                    continue
                operation = _operation(doc, section)
                if operation is not None and operation != "RENAMED":
                    deltas[cap][change][operation].append(named)
    for capability, changes in deltas.items():
        where = f"{_BASE}{capability}/spec.md"
        for change, ops in changes.items():
            # Changes stack: what another active change adds or renames to may be changed here.
            stacked = {
                _key(n.name)
                for other, other_ops in changes.items()
                if other != change
                for op in ("ADDED", "TO")
                for n in other_ops.get(op, [])
            }
            renamed_to = {_key(n.name) for n in ops.get("TO", [])}
            for op in ("ADDED", "MODIFIED", "REMOVED", "FROM", "TO"):
                seen: dict[str, _Named] = {}
                for named in ops.get(op, []):
                    key = _key(named.name)
                    if key in seen:
                        found.append(_duplicate(named, seen[key]))
                        continue
                    seen[key] = named
                    existing = base[capability].get(key)
                    if op in ("ADDED", "TO") and existing is not None:
                        found.append(_exists(op, named, existing))
                    elif (
                        op in ("MODIFIED", "REMOVED", "FROM")
                        and existing is None
                        and key not in stacked
                        and not (op == "MODIFIED" and key in renamed_to)
                    ):
                        found.append(_missing(op, named, where))
    return found


def _duplicate(named: _Named, first: _Named) -> Finding:
    return Finding(
        Code.DUPLICATE_REQUIREMENT,
        Severity.ERROR,
        f"requirement '{named.name}' is defined twice",
        named.doc.path,
        named.range,
        related=(Related(first.doc.path, first.range, "first definition"),),
    )


def _exists(op: str, named: _Named, existing: _Named) -> Finding:
    what = "ADDED requirement" if op == "ADDED" else "RENAMED TO"
    return Finding(
        Code.OPENSPEC_DELTA_EXISTS,
        Severity.ERROR,
        f"{what} '{named.name}' already exists in {existing.doc.path}",
        named.doc.path,
        named.range,
        related=(Related(existing.doc.path, existing.range, "existing requirement"),),
    )


def _missing(op: str, named: _Named, where: str) -> Finding:
    what = "RENAMED FROM" if op == "FROM" else f"{op} requirement"
    return Finding(
        Code.OPENSPEC_DELTA_UNKNOWN,
        Severity.ERROR,
        f"{what} '{named.name}' does not exist in {where} nor in another active change",
        named.doc.path,
        named.range,
    )
