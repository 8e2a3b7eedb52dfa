"""When an edit is analysed: at once after a pause, coalesced while typing fast.

In-process (a fake editor): the debounce is set to 2 s so that "at once" and
"after the debounce" are seconds apart, far more than an analysis of the shop
takes, even on a loaded CI machine.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from inprocess import InProcess
from lsp_helpers import wait_for

DEBOUNCE_MS = 2000
BROKEN = "\n[@use](#nowhere-ü)\n"


def _broken(lsp: InProcess, doc_uri: str) -> bool:
    return any(d.code == "SPEC102" for d in lsp.editor.diagnostics.get(doc_uri, []))


async def test_an_edit_after_a_pause_is_analysed_at_once_and_fast_typing_is_coalesced(
    shop: Path,
) -> None:
    lsp = await InProcess(shop, options={"trusted": True, "debounce": DEBOUNCE_MS}).start()
    text = (shop / "specs/catalog.spec.md").read_text("utf-8")
    doc = await lsp.open("specs/catalog.spec.md")
    await lsp.settled()
    await asyncio.sleep(DEBOUNCE_MS / 1000 + 0.1)  # a pause longer than the debounce

    await lsp.change(doc, text + BROKEN)  # after the pause: no wait
    await wait_for(lambda: _broken(lsp, doc), 1.5, "the broken @use, before the debounce")
    published = lsp.editor.diagnostic_versions[doc]

    await lsp.change(doc, text + "\nfixed — ünïcode\n")  # right after: coalesced
    await asyncio.sleep(1.0)
    assert lsp.editor.diagnostic_versions[doc] == published  # still waiting out the debounce
    assert _broken(lsp, doc)
    await wait_for(lambda: not _broken(lsp, doc), 5, "the fix, after the debounce")
    assert lsp.editor.diagnostic_versions[doc] == lsp.versions[doc]
    await lsp.stop()
