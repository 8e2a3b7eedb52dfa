"""The server's first load goes through the persistent parse cache, as `check` does
(its counting view of the disk once bypassed it, and a big root was parsed
from scratch at every editor start)."""

from __future__ import annotations

from pathlib import Path

from inprocess import InProcess


def _entries(root: Path) -> set[str]:
    cache = root / ".specls" / "cache"
    return {p.name for p in cache.rglob("*") if p.is_file() and p.name != ".gitignore"}


async def test_the_first_load_fills_and_then_reads_the_parse_cache(shop: Path) -> None:
    assert not _entries(shop)
    lsp = await InProcess(shop).start()
    await lsp.stop()
    filled = _entries(shop)
    specs = list((shop / "specs").glob("*.spec.md"))
    assert len(filled) >= len(specs) > 0

    lsp = await InProcess(shop).start()  # a second editor start: the same entries serve it
    await lsp.stop()
    assert _entries(shop) == filled
