"""Traces in code comments are navigable both ways: definition and hover from
`# FR-001` or `// covers: specs/x.spec.md#id`, and references from the
requirement or section to the comments that name it."""

from __future__ import annotations

from pathlib import Path

from helpers import write_tree
from specls.ide.hover import hover
from specls.ide.references import references
from specls.ide.snapshot import Snapshot
from specls.ide.targets import targets_at
from specls.text import Position, Range
from specls.workspace import Workspace

SPEC = """# Shop 🛒

## Cart {#cart}

- **FR-001**: Carts MUST add up to the cent.
- **FR-002**: Prices are integers.
"""
PY = """import math  # plain comment


# Implements FR-001 — 合計 is exact
def total() -> int:
    return 0


# covers: specs/shop.spec.md#cart
class Cart: ...
"""
TS = """// 🧾 tests FR-002
export const price = 1;
"""


def _snap(tmp_path: Path) -> Snapshot:
    write_tree(
        tmp_path,
        {"specs/shop.spec.md": SPEC, "src/shop.py": PY, "tests/price.test.ts": TS},
    )
    return Snapshot.of(Workspace.load(tmp_path))


def test_definition_from_a_requirement_id_in_a_comment(tmp_path: Path) -> None:
    snap = _snap(tmp_path)
    # "# Implements FR-001 — 合計": the ID starts at UTF-16 column 13 on line 3
    origin, [target] = targets_at(snap, "src/shop.py", Position(3, 15))
    assert origin == Range.of(3, 13, 3, 19)
    assert (target.rel, target.range.start.line) == ("specs/shop.spec.md", 4)


def test_definition_from_a_section_reference_in_a_comment(tmp_path: Path) -> None:
    snap = _snap(tmp_path)
    origin, [target] = targets_at(snap, "src/shop.py", Position(8, 20))
    assert origin == Range.of(8, 10, 8, 33)
    assert target.rel == "specs/shop.spec.md" and target.selection.start.line == 2


def test_after_emoji_the_columns_are_utf16(tmp_path: Path) -> None:
    snap = _snap(tmp_path)
    # "// 🧾 tests FR-002": 🧾 is two UTF-16 units, so FR-002 starts at column 12
    origin, [target] = targets_at(snap, "tests/price.test.ts", Position(0, 12))
    assert origin == Range.of(0, 12, 0, 18)
    assert target.range.start.line == 5


def test_hover_on_a_comment_trace_shows_the_requirement(tmp_path: Path) -> None:
    snap = _snap(tmp_path)
    found = hover(snap, "src/shop.py", Position(3, 15), markdown=True)
    assert found is not None and found.range == Range.of(3, 13, 3, 19)
    assert "**FR-001** — Carts MUST add up to the cent." in found.text
    assert hover(snap, "src/shop.py", Position(0, 20), markdown=True) is None  # plain comment


def test_references_of_a_requirement_and_a_section_include_the_comments(
    tmp_path: Path,
) -> None:
    snap = _snap(tmp_path)
    refs = references(snap, "specs/shop.spec.md", Position(4, 5), declaration=False)
    assert ("src/shop.py", Range.of(3, 13, 3, 19)) in refs
    assert not any(path == "tests/price.test.ts" for path, _ in refs)  # that one is FR-002
    refs = references(snap, "specs/shop.spec.md", Position(2, 4), declaration=False)
    assert ("src/shop.py", Range.of(8, 10, 8, 33)) in refs


def test_a_newer_snapshot_is_answered_at_once_and_sees_disk_changes_after(
    tmp_path: Path,
) -> None:
    """The comment index is built once per root: a newer snapshot over the same disk
    cache (the server's next analysis) is answered from it while a newer one is built
    in the background; a new disk cache (another reader) builds its own at once."""
    import time

    from specls.ide import comment_traces

    snap = _snap(tmp_path)
    fr1 = Position(4, 5)
    first = references(snap, "specs/shop.spec.md", fr1, declaration=False)
    assert first == [("src/shop.py", Range.of(3, 13, 3, 19))]
    (tmp_path / "src/more.py").write_text("# FR-001 again 😀\nX = 1\n", encoding="utf-8")
    newer = Snapshot(snap.workspace, snap.analysis, snap.reader.with_buffers({}))
    assert references(newer, "specs/shop.spec.md", fr1, declaration=False) == first
    for _ in range(200):  # the background build
        kept = comment_traces._kept[snap.root]
        if kept.reader is newer.reader and not kept.refreshing:
            break
        time.sleep(0.02)
    assert references(newer, "specs/shop.spec.md", fr1, declaration=False) == [
        ("src/more.py", Range.of(0, 2, 0, 8)),
        ("src/shop.py", Range.of(3, 13, 3, 19)),
    ]
    (tmp_path / "src/more.py").unlink()
    fresh = Snapshot.of(snap.workspace)
    assert references(fresh, "specs/shop.spec.md", fr1, declaration=False) == first
