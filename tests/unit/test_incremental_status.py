"""An analysis that reuses the previous one gives exactly what a full one gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from specls.outputs import OutputReader
from specls.status import Analysis, analyze
from specls.units import Graph
from specls.workspace import Workspace

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def summary(a: Analysis) -> tuple[object, ...]:
    units = {
        ref: (us.status, us.inputs_hash, tuple((o.key, o.status) for o in us.outputs))
        for ref, us in a.units.items()
    }
    return (units, a.findings, a.output_findings, a.orphans)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    dest = tmp_path / "shop"
    shutil.copytree(SHOP, dest)
    return dest


EDITS = [
    ("specs/cart.spec.md", "exact to\nthe cent", "exact to\nthe cent, always"),
    ("specs/catalog.spec.md", "French shoppers", "shoppers"),  # reaches cart via @use
    ("specs/users.spec.md", "## User model {#user-model}", "## Person model {#person}"),
    ("specs/requirements.spec.md", "in euros (€)", "in euros"),
]


@pytest.mark.parametrize(("rel", "old", "new"), EDITS)
def test_incremental_equals_full(
    shop: Path, rel: str, old: str, new: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws0 = Workspace.load(shop)
    reader = OutputReader(ws0.root)
    a0 = analyze(ws0, reader)
    text = (shop / rel).read_text(encoding="utf-8")
    assert old in text
    ws1 = ws0.with_text(rel, text.replace(old, new))

    computed: list[str] = []
    original = Graph.inputs_hash

    def counting(self: Graph, unit, file_hash):  # type: ignore[no-untyped-def]
        computed.append(unit.ref)
        return original(self, unit, file_hash)

    monkeypatch.setattr(Graph, "inputs_hash", counting)
    incremental = analyze(ws1, reader, (ws0, a0))
    reused = set(incremental.units) - set(computed)
    monkeypatch.setattr(Graph, "inputs_hash", original)
    full = analyze(ws1, OutputReader(ws1.root))
    assert summary(incremental) == summary(full)
    assert reused, "nothing was reused: the change reached every unit"


def test_use_file_change_is_seen_without_a_spec_change(shop: Path) -> None:
    ws0 = Workspace.load(shop)
    reader = OutputReader(ws0.root)
    a0 = analyze(ws0, reader)
    policy = shop / "docs" / "pricing-policy.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "\nNew rule.\n", encoding="utf-8")
    reader.forget("docs/pricing-policy.md")
    again = analyze(ws0, reader, (ws0, a0))  # same specs, a changed @use file
    assert a0.units["specs/cart.spec.md#cart"].status.value == "fresh"
    assert again.units["specs/cart.spec.md#cart"].status.value == "stale"
