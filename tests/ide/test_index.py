"""ide.index: the lookups editor requests make, from indexes kept per workspace.

Three promises: the index answers what the workspace scans it replaces
(`specls.query`, `traceability.features`, `Workspace.section`) answer; an
index built incrementally over a sequence of edits equals one built from
scratch; and a request on one document reads no other document.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from specls import query
from specls.dialect import Section, SpecDocument
from specls.ide import index as index_mod
from specls.ide.completion import Options, completions
from specls.ide.hover import hover
from specls.ide.index import DocEntry, Index
from specls.ide.references import references
from specls.ide.snapshot import Snapshot
from specls.ide.symbols import document_symbols, fuzzy_score, workspace_symbols
from specls.ide.targets import targets_at
from specls.outputs import OutputReader
from specls.status import analyze
from specls.text import Position
from specls.traceability import features
from specls.workspace import Workspace, unit_ref

from ide.memfs import ROOT, MemFS, at

FILES: dict[str, str] = {
    "specs/shop/cart.spec.md": (
        "# Cart 🛒\n\n"
        "## Cart model {#cart}\n"
        "[@generate](../../src/cart.py) [@use](../users/users.spec.md#user)\n\n"
        "- **FR-001**: The cart MUST hold items (見る).\n"
        "- **FR-002**: The cart MUST total prices.\n\n"
        "## Checkout\n"
        "[@use](#cart) [@generate](../../src/checkout.py#Checkout)\n"
        "Traces FR-001 and FR-002 (covers: FR-001).\n"
        "See [the cart](#cart) and [users](../users/users.spec.md#user).\n"
    ),
    "specs/users/users.spec.md": (
        "# Users 🧑\n\n"
        "## User {#user}\n"
        "[@generate](../../src/user.py)\n\n"
        "- **FR-010**: A user MUST have a name — ünïcödé.\n"
        "(covers: FR-001)\n"
    ),
    "specs/001-login/spec.md": (
        "# Login\n\n"
        "- **FR-001**: Users MUST log in.\n"
        "- **FR-002**: Users MUST log out.\n"
        "- **FR-003**: Sessions MUST expire.\n"
    ),
    "specs/001-login/tasks.md": (
        "# Tasks\n\n"
        "## Phase 1\n"
        "- [ ] T001 [US1] Login form for FR-001 in src/login.py\n"
        "- [x] T002 Logout covering FR-001-FR-003 in src/logout.py\n"
    ),
    ".kiro/specs/pay/requirements.md": (
        "# Requirements\n\n"
        "### Requirement 1\n\n"
        "#### Acceptance Criteria\n"
        "1. WHEN paying THE SYSTEM SHALL charge 💳\n"
        "2. WHEN refunding THE SYSTEM SHALL refund\n\n"
        "### Requirement 2\n\n"
        "1. WHEN failing THE SYSTEM SHALL retry\n"
    ),
    ".kiro/specs/pay/tasks.md": (
        "# Tasks\n\n"
        "- [ ] 1. Charge\n"
        "  - _Requirements: 1.1-2.1_\n"
        "- [ ] 2. Retry\n"
        "  - _Requirements: 2.1, All requirements_\n"
    ),
    "src/cart.py": "CART = 1\n",
    "src/user.py": "USER = 1\n",
}


def load(files: dict[str, str]) -> Workspace:
    return Workspace.load(ROOT, MemFS(ROOT, files))


def places(found: list[query.Place]) -> list[tuple[str, int, tuple[int, int, int, int], str]]:
    return [(p.doc.path, p.section.index, _r(p.range), p.text) for p in found]


def _r(rng: Any) -> tuple[int, int, int, int]:
    return (rng.start.line, rng.start.character, rng.end.line, rng.end.character)


def ids_of(ws: Workspace) -> list[str]:
    found = {r.id for d in ws.docs.values() for s in d.sections for r in s.requirements}
    found |= {m.text for d in ws.docs.values() for s in d.sections for m in s.requirement_refs}
    return sorted(found | {"FR-999", "1", "2.1"})


def refs_of(ws: Workspace) -> list[str]:
    out = [unit_ref(d.path, s) for d in ws.docs.values() for s in d.sections]
    return sorted(set(out) | {"specs/shop/cart.spec.md#nope", "nope.spec.md#x"})


def scan_section_uses(ws: Workspace, ref: str) -> list[tuple[str, int, tuple[int, ...]]]:
    """The scan `ide.targets.section_uses` did before the index."""
    return [
        (doc.path, s.index, _r(d.target_range))
        for doc in sorted(ws.docs.values(), key=lambda d: d.path)
        for s in doc.sections
        for d in s.directives
        if d.kind.value == "use" and ws.target_ref(doc.path, d) == ref
    ]


def scan_symbols(ws: Workspace, query_text: str) -> list[tuple[str, str, int]]:
    """The scan `ide.symbols.workspace_symbols` did before the index."""
    found = []
    for doc in ws.docs.values():
        for section in doc.sections:
            names = [section.title, section.id] if section.level > 0 else []
            scores = [s for n in names if n and (s := fuzzy_score(query_text, n)) is not None]
            if scores:
                found.append((doc.path, section.title or f"#{section.id}", max(scores)))
            for req in section.requirements:
                score = fuzzy_score(query_text, req.id)
                if score is not None:
                    found.append((doc.path, req.id, score))
    return sorted(found)


def assert_like_scans(ws: Workspace, idx: Index) -> None:
    """Every lookup of `idx` answers what the workspace scans answer."""
    for rid in ids_of(ws):
        assert places(idx.all_requirements(rid)) == places(query._all_requirements(ws, rid))
        for from_path in [*ws.docs, None]:
            assert places(idx.requirement_definitions(rid, from_path)) == places(
                query.requirement_definitions(ws, rid, from_path)
            ), (rid, from_path)
        scopes = {query._scope(d) for d in ws.docs.values()}
        for scope in [None, *sorted(scopes)]:
            assert places(idx.requirement_traces(rid, scope)) == places(
                query.requirement_traces(ws, rid, scope)
            ), (rid, scope)
        for from_path in ws.docs:
            assert places(idx.requirement_uses(rid, from_path)) == places(
                query.requirement_uses(ws, rid, from_path)
            ), (rid, from_path)
    for ref in refs_of(ws):
        got = [(p.doc.path, p.section.index, _r(d.target_range)) for p, d in idx.section_uses(ref)]
        assert got == scan_section_uses(ws, ref), ref
        found, expected = idx.section(ref), ws.section(ref)
        assert (found is None) == (expected is None), ref
        if found is not None and expected is not None:
            assert (found[0].path, found[1].index) == (expected[0].path, expected[1].index)
    every = features(ws)
    for doc in ws.docs.values():
        scope = query._scope(doc)
        want = next((f for f in every if (f.layout, f.scope) == (doc.layout, scope)), None)
        assert idx.feature_of(doc) == want, doc.path
    for q in ["", "fr", "Cart", "1.", "us", "🛒", "zz"]:
        got = sorted((s.rel, s.name, s.score) for s in workspace_symbols(ws, q))
        assert got == scan_symbols(ws, q), q


def test_the_index_answers_what_the_scans_answer() -> None:
    ws = load(FILES)
    assert_like_scans(ws, Index.build(ws))


# --- incremental == from scratch ----------------------------------------------------------


LINES = [
    "- **FR-004**: The cart MUST keep 🍣 for later.",
    "Traces FR-004 and FR-010 — 日本語.",
    "[@use](../users/users.spec.md#user) [@use](#cart)",
    "## Extra ✨ {#extra}",
    "(covers: FR-001-FR-003)",
    "- [ ] T003 Later FR-002 in src/cart.py",
    "[back](#cart)",
    "3. WHEN ✓ THE SYSTEM SHALL log",
    "  - _Requirements: 1.2-2.1_",
]


def edits(seed: int, ws: Workspace) -> Iterator[Workspace]:
    """A seeded sequence of edits: lines added, lines removed, documents gone and back."""
    rnd = random.Random(seed)
    texts = dict(FILES)
    specs = [p for p in FILES if p.endswith(".md")]
    for _ in range(25):
        rel = rnd.choice(specs)
        op = rnd.random()
        if op < 0.1 and rel in ws.docs:
            ws = ws.without_doc(rel)
        else:
            lines = texts[rel].split("\n")
            if op < 0.55 or len(lines) < 4:
                lines.insert(rnd.randrange(len(lines) + 1), rnd.choice(LINES))
            else:
                del lines[rnd.randrange(1, len(lines))]
            texts[rel] = "\n".join(lines)
            ws = ws.with_text(rel, texts[rel])
        yield ws


@pytest.mark.parametrize("seed", range(6))
def test_an_index_kept_over_edits_equals_one_built_from_scratch(seed: int) -> None:
    ws = load(FILES)
    idx = Index.build(ws)
    for step, after in enumerate(edits(seed, ws)):
        idx = Index.build(after, idx)
        if step % 3 == 0:
            idx.table("refs")  # some tables built while overlaid, some only later
        scratch = Index.build(after)
        for name in index_mod._TABLES:
            for key in {k for t in (idx, scratch) for k in t.table(name).base} | {"FR-001"}:
                assert idx.table(name).get(key) == scratch.table(name).get(key), (name, key)
        assert_like_scans(after, idx)


def test_an_edit_re_indexes_only_the_edited_document(monkeypatch: pytest.MonkeyPatch) -> None:
    ws = load(FILES)
    idx = Index.build(ws)
    idx.table("definitions")
    made: list[str] = []
    original = DocEntry.__init__

    def counting(self: DocEntry, doc: SpecDocument) -> None:
        made.append(doc.path)
        original(self, doc)

    monkeypatch.setattr(DocEntry, "__init__", counting)
    rel = "specs/shop/cart.spec.md"
    after = ws.with_text(rel, FILES[rel] + "- **FR-005**: The cart MUST be saved 💾.\n")
    idx2 = Index.build(after, idx)
    assert made == [rel]
    assert idx2.changed == {rel}
    assert idx2._base is idx._base  # the other documents' tables are not rebuilt
    assert [p.text for p in idx2.requirement_definitions("FR-005", rel)] == [
        "- **FR-005**: The cart MUST be saved 💾."
    ]


# --- a request reads only its own document ------------------------------------------------


class Counted(tuple[Section, ...]):
    """A document's sections that count every look at them."""

    reads = 0

    def __iter__(self) -> Iterator[Section]:
        Counted.reads += 1
        return super().__iter__()

    def __getitem__(self, i: Any) -> Any:
        Counted.reads += 1
        return super().__getitem__(i)

    def __len__(self) -> int:
        Counted.reads += 1
        return super().__len__()


def many_docs(n: int) -> dict[str, str]:
    files = dict(FILES)
    for i in range(n):
        files[f"specs/d{i:02d}/s{i:02d}.spec.md"] = (
            f"# Component {i} — ünïcödé\n\n"
            f"## Unit {i} {{#u{i}}}\n"
            f"[@generate](../../src/m{i}.py) [@use](../shop/cart.spec.md#cart)\n\n"
            f"- **FR-{100 + i}**: Unit {i} MUST work (covers: FR-001).\n"
        )
    return files


def test_a_request_on_one_document_reads_no_other_document() -> None:
    fs = MemFS(ROOT, many_docs(20))
    ws = Workspace.load(ROOT, fs)
    rel = "specs/shop/cart.spec.md"
    # Every document but the one asked about counts the looks at its sections.
    docs = {
        p: d if p == rel else replace(d, sections=Counted(d.sections)) for p, d in ws.docs.items()
    }
    ws = replace(ws, docs=docs)
    reader = OutputReader(ROOT, fs)
    snap = Snapshot(ws, analyze(ws, reader), reader)
    text = FILES[rel]

    def requests(s: Snapshot, text: str) -> None:
        doc = s.workspace.docs[rel]
        document_symbols(doc, text)
        for needle in ["Cart model", "FR-001", "#cart)", "FR-002 (", "users.spec.md#user)"]:
            pos = at(text, needle, 2)
            hover(s, rel, pos, markdown=True)
            targets_at(s, rel, pos)
            references(s, rel, pos, declaration=True)
        completions(s, rel, at(text, "#cart)", 1), Options())
        completions(s, rel, at(text, "(covers: FR-001", 10), Options())
        workspace_symbols(s.workspace, "unit 1")

    requests(snap, text)  # the first request builds the index, once per snapshot
    assert Counted.reads > 0
    Counted.reads = 0
    requests(snap, text)
    assert Counted.reads == 0
    # After an edit of the document, the index is updated from it alone.
    text2 = text.replace("(covers: FR-001)", "(covers: FR-001, FR-101) 🎉")
    ws2 = ws.with_text(rel, text2)
    snap2 = Snapshot(ws2, snap.analysis, reader, {rel: text2})
    requests(snap2, text2)
    assert Counted.reads == 0
    uses = references(snap2, rel, at(text2, "Cart model", 2), declaration=False)
    assert [p for p, _ in uses].count("specs/d07/s07.spec.md") == 1
    traced = references(snap2, rel, at(text2, "FR-001", 2), declaration=False)
    assert ("specs/d03/s03.spec.md", Position(5, 40)) in [(p, r.start) for p, r in traced]
