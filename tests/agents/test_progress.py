"""The regeneration progress display fed with the engine's events: a live table on a
terminal (generator, elapsed time, the agent's latest stderr line), plain lines
otherwise."""

from __future__ import annotations

import io
import re

from specls.progress import RegenProgress
from specls.regen.engine import UnitEvent

LOGIN = "specs/auth.spec.md#login"
CART = "specs/cart.spec.md#cart"


def feed(progress: RegenProgress) -> None:
    with progress:
        progress(UnitEvent(LOGIN, "start", "claude"))
        progress(UnitEvent(LOGIN, "line", "claude", "Reading src/shop/auth.py…"))
        progress(UnitEvent(LOGIN, "line", "claude", "Editing src/shop/auth.py ✎"))
        progress(UnitEvent(CART, "refused", text="src/shop/cart.py edited by hand"))
        progress(UnitEvent(LOGIN, "done", "claude", "src/shop/auth.py"))


def test_a_terminal_gets_a_live_table() -> None:
    out = io.StringIO()
    feed(RegenProgress(out, live=True))
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    last = text.strip().splitlines()[-2:]  # the final frame: one row per unit
    assert re.match(rf"✓ +{LOGIN} +claude +\d+\.\ds +Editing src/shop/auth\.py ✎", last[0])
    assert re.match(rf"✎ +{CART} +\d+\.\ds +src/shop/cart\.py edited by hand", last[1])


def test_a_pipe_gets_plain_lines_for_agents_only() -> None:
    out = io.StringIO()
    feed(RegenProgress(out, live=False))
    lines = out.getvalue().splitlines()
    assert lines[0] == f"specls: {LOGIN}: running claude"
    assert re.fullmatch(rf"specls: {LOGIN}: claude done in \d+\.\ds", lines[1])
    assert len(lines) == 2  # tangle and refusals are reported by `regen` itself
