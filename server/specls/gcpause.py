"""Cyclic garbage collection paused while a big pass runs, and the survivors
frozen after it.

A load or an analysis allocates hundreds of thousands of long-lived objects
(the parse model, the indexes) and makes no reference cycles worth
collecting, yet each full collection the allocations trigger walks every one
of them: a third of a warm load, a quarter of a large analysis, and in the
server the slowest keystrokes (a full collection over a loaded 1,000-spec
workspace took seconds on a busy machine). So a pass runs with collection
off, and when the last running pass ends `gc.freeze()` moves what it built
to the permanent generation: later collections skip it, and it is still
freed by reference counting when a newer snapshot drops it. (Collecting the
pass's own objects first would walk all of them once more, the cost the
pause avoids; a stray cycle made during a pass stays in memory instead.)

Passes overlap in the server (one root loading while another is analysed
in worker threads), so the pause is counted: collection resumes only when
the last one ends, and only if it was on before the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.freeze()
                gc.enable()
