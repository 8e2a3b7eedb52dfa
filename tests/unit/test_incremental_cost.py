"""An analysis after an edit does work in proportion to the change: it looks at no
file nobody reported changed (watched reader), computes again only the units the
change reaches, and sees an output changed on disk once it is reported."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from specls.freshness import Freshness
from specls.outputs import OutputReader
from specls.paths import RealPaths
from specls.status import analyze
from specls.workspace import REAL_FS, Workspace

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


class CountingFS:
    """The real file system, counting stat() and read_bytes() calls."""

    def __init__(self) -> None:
        self.stats: list[str] = []
        self.reads: list[str] = []

    def read_bytes(self, path: Path) -> bytes:
        self.reads.append(path.name)
        return REAL_FS.read_bytes(path)

    def stat(self, path: Path) -> tuple[int, int] | None:
        self.stats.append(path.name)
        return REAL_FS.stat(path)

    def walk(self, root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
        return REAL_FS.walk(root)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    dest = tmp_path / "shop"
    shutil.copytree(SHOP, dest)
    return dest


def test_an_edit_looks_at_no_unreported_file_and_computes_few_units(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws0 = Workspace.load(shop)
    fs = CountingFS()
    reader = OutputReader(ws0.root, fs, watched=True)
    a0 = analyze(ws0, reader)
    assert fs.stats, "the first analysis looks at every output"
    rel = "specs/cart.spec.md"
    text = (shop / rel).read_text(encoding="utf-8")
    assert "exact to\nthe cent" in text
    edited = text.replace("exact to\nthe cent", "exact to\nthe cent — ü 😀")
    ws1 = ws0.with_text(rel, edited)

    computed: list[str] = []
    original = Freshness.unit_status

    def counting(self: Freshness, unit, claimed):  # type: ignore[no-untyped-def]
        computed.append(unit.ref)
        return original(self, unit, claimed)

    monkeypatch.setattr(Freshness, "unit_status", counting)
    fs.stats.clear()
    a1 = analyze(ws1, reader.with_buffers({rel: edited}), (ws0, a0))
    monkeypatch.setattr(Freshness, "unit_status", original)
    assert fs.stats == [], "no file was reported changed: none is looked at again"
    assert computed and all(ref.startswith(rel) for ref in computed), computed
    assert len(computed) < len(a1.units)
    full = analyze(ws1, OutputReader(ws1.root))
    assert (a1.units, a1.findings, a1.owners) == (full.units, full.findings, full.owners)


def test_a_reported_output_change_is_seen(shop: Path) -> None:
    ws = Workspace.load(shop)
    reader = OutputReader(ws.root, watched=True)
    a0 = analyze(ws, reader)
    key = next(o.output.path for us in a0.units.values() for o in us.outputs)
    before = {o.key: o.status for us in a0.units.values() for o in us.outputs}
    path = shop / key
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited by hand — ü\n", "utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    reader.forget(key)  # what the server's file watching does
    a1 = analyze(ws, reader, (ws, a0))
    after = {o.key: o.status for us in a1.units.values() for o in us.outputs}
    assert before[key].value == "fresh"
    assert after[key].value == "edited"
    full = analyze(ws, OutputReader(ws.root))
    assert (a1.units, a1.findings, a1.output_findings) == (
        full.units,
        full.findings,
        full.output_findings,
    )


def test_an_unwatched_reader_sees_a_change_nobody_reported(shop: Path) -> None:
    """The CLI's reader is not watched: reuse looks at every file again (a second
    writer may have changed one), so nothing is missed."""
    ws = Workspace.load(shop)
    reader = OutputReader(ws.root)
    a0 = analyze(ws, reader)
    key = next(o.output.path for us in a0.units.values() for o in us.outputs)
    path = shop / key
    path.write_text("changed behind our back\n", "utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    a1 = analyze(ws, reader, (ws, a0))
    assert {o.key: o.status.value for us in a1.units.values() for o in us.outputs}[key] == "edited"


def test_real_paths_equal_realpath(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.py").write_text("x", "utf-8")
    (root / "file").write_text("x", "utf-8")
    (root / "link").symlink_to(root / "a")
    (root / "a" / "flink").symlink_to(root / "a" / "b" / "f.py")
    (root / "out").symlink_to(tmp_path)
    real = RealPaths(root)
    for rel in [
        "a/b/f.py",
        "link/b/f.py",
        "a/flink",
        "link/flink",
        "missing/x.py",
        "file/under",
        "out/x",
        "a/b",
        "日本/ü.py",
    ]:
        assert real.of(rel) == os.path.realpath(root / rel), rel
    assert real.escapes("out/x")
    assert not real.escapes("link/flink")
