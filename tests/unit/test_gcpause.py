"""The GC pause is shared by overlapping passes (a load and an analysis in two
worker threads): collection resumes only when the last one ends, and never
if it was off before."""

from __future__ import annotations

import gc
import threading

from specls.gcpause import gc_paused


def test_overlapping_passes_keep_collection_off_until_the_last_ends() -> None:
    assert gc.isenabled()
    second_in, first_out = threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        with gc_paused():
            second_in.set()
            first_out.wait()
            seen.append(gc.isenabled())  # the first pass has ended: still off

    with gc_paused():
        t = threading.Thread(target=second)
        t.start()
        second_in.wait()
    first_out.set()
    t.join()
    assert seen == [False]
    assert gc.isenabled()


def test_survivors_are_frozen_so_later_collections_skip_them() -> None:
    gc.unfreeze()
    with gc_paused():
        kept = [[i] for i in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()


def test_collection_stays_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
