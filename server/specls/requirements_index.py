"""Requirement IDs → the documents that define or cite them, for checking one ID again.

`StructureChecks.check_requirements` checks every requirement of the
workspace at once. When a keystroke adds or changes an ID, `index.py` asks
here for the findings of the IDs the change touched only. That is exact when
each ID's findings depend on that ID alone, which holds when no document
uses a strict-scope layout (a Spec Kit or Kiro feature folder: whether a
scope is "tracing" depends on all its IDs), no definition has parents
(Kiro's criteria), and every reference names one plain ID (no range, no
"All requirements"); otherwise `index.py` checks them all, as before. The
findings and their order are those of `check_requirements` (a test compares
them on random edits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from specls.dialect import Marker, Requirement, SpecDocument
from specls.findings import Code, Finding, Related, Severity
from specls.layouts import Layout, layout_of

# (category: 0 duplicate, 1 broken reference, 2 never referenced; document path; place)
Ordered = tuple[int, str, int, Finding]


@dataclass(frozen=True)
class ReqDoc:
    """What one document contributes to the requirement checks."""

    path: str
    scope: str
    layout: Layout
    defs: Mapping[str, tuple[tuple[int, Requirement], ...]]  # id -> (place, definition)
    refs: Mapping[str, tuple[tuple[int, Marker], ...]]  # id -> (place, reference)
    simple: bool  # each ID's findings depend on that ID alone (see the module)

    @property
    def ids(self) -> set[str]:
        return set(self.defs) | set(self.refs)


def req_doc(doc: SpecDocument) -> ReqDoc:
    layout = layout_of(doc)
    defs: dict[str, list[tuple[int, Requirement]]] = {}
    refs: dict[str, list[tuple[int, Marker]]] = {}
    simple = not layout.strict_scope
    d = r = 0
    for section in doc.sections:
        for req in section.requirements:
            defs.setdefault(req.id, []).append((d, req))
            d += 1
            if simple and layout.parents(req.id):
                simple = False
        for m in section.requirement_refs:
            refs.setdefault(m.text, []).append((r, m))
            r += 1
            if simple and layout.expand(m.text) != [m.text]:
                simple = False
    return ReqDoc(
        doc.path,
        layout.scope(doc.path),
        layout,
        {k: tuple(v) for k, v in defs.items()},
        {k: tuple(v) for k, v in refs.items()},
        simple,
    )


def check_id(rid: str, docs: Iterable[ReqDoc]) -> list[Ordered]:
    """The findings of one ID, over the documents that define or cite it (by path)."""
    out: list[Ordered] = []
    ordered = sorted(docs, key=lambda d: d.path)
    defined: dict[str, tuple[ReqDoc, int, Requirement]] = {}  # scope -> first definition
    for doc in ordered:
        layout = doc.layout
        for place, r in doc.defs.get(rid, ()):
            if not layout.referable(r):
                continue
            first = defined.get(doc.scope)
            if first is not None and layout.unique(r):
                out.append(
                    (
                        0,
                        doc.path,
                        place,
                        Finding(
                            Code.DUPLICATE_REQUIREMENT,
                            Severity.ERROR,
                            f"{layout.noun(r)} {r.id} is defined twice",
                            doc.path,
                            r.range,
                            (Related(first[0].path, first[2].range, "first definition"),),
                        ),
                    )
                )
                continue
            if first is None:
                defined[doc.scope] = (doc, place, r)
    referenced: set[str] = set()
    for doc in ordered:
        for place, m in doc.refs.get(rid, ()):
            if doc.scope in defined:
                referenced.add(doc.scope)
            elif defined:  # not strict: a definition anywhere else
                referenced.update(defined)
            else:
                out.append(
                    (
                        1,
                        doc.path,
                        place,
                        Finding(
                            Code.BROKEN_REQUIREMENT_REF,
                            Severity.WARNING,
                            f"no {doc.layout.noun_of(rid)} {rid} is defined",
                            doc.path,
                            m.range,
                        ),
                    )
                )
    for scope, (doc, place, r) in defined.items():
        if doc.layout.must_trace(r) and scope not in referenced:
            out.append(
                (
                    2,
                    doc.path,
                    place,
                    Finding(
                        Code.UNTRACED_REQUIREMENT,
                        Severity.INFO,
                        f"{doc.layout.noun(r)} {rid} is never referenced",
                        doc.path,
                        r.range,
                    ),
                )
            )
    return out


def in_order(by_id: Mapping[str, tuple[Ordered, ...]]) -> tuple[Finding, ...]:
    """Every ID's findings in the order `check_requirements` gives them."""
    found = [o for items in by_id.values() for o in items]
    found.sort(key=lambda o: (o[0], o[1], o[2]))
    return tuple(o[3] for o in found)
