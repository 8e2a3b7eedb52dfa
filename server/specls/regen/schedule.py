"""Which units of a regeneration must wait for which: `--jobs N` runs the rest at once.

A unit waits for another of the same run when it `@use`s that unit's section
(transitively: its prompt carries that section), when it `@use`s a file the
other one writes (it must see the new content), or when both write the same
file (symbol outputs: the later one builds on the earlier one's text, in the
order given).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from specls.units import Graph

T = TypeVar("T")


def prerequisites(graph: Graph, refs: list[str]) -> dict[str, set[str]]:
    """For each ref, the refs of the same run that must be planned before it."""
    units = graph.units
    writes = {r: {o.path for o in units[r].outputs} for r in refs if r in units}
    out: dict[str, set[str]] = {}
    for i, ref in enumerate(refs):
        before: set[str] = set()
        unit = units.get(ref)
        if unit is not None:
            closure = set(graph.closure(ref))
            files = graph.use_files(unit)
            for j, other in enumerate(refs):
                if other == ref or other not in writes:
                    continue
                if (
                    other in closure
                    or files & writes[other]
                    or (j < i and writes[ref] & writes[other])
                ):
                    before.add(other)
        out[ref] = before
    return out


def run_in_order(
    refs: list[str],
    before: dict[str, set[str]],
    work: Callable[[str], T],
    jobs: int = 1,
) -> Iterator[tuple[str, T]]:
    """Run `work(ref)` for each ref, at most `jobs` at a time, each after its
    prerequisites; yield (ref, result) in completion order.

    A ref starts only after the consumer has handled the results of its
    prerequisites (so it can look at what they produced, or skip when one
    failed). A cycle among prerequisites is broken by starting the first
    waiting ref in list order.
    """
    remaining = list(refs)
    done: set[str] = set()
    if jobs <= 1:  # in the calling thread, as callers of the sequential engine expect
        while remaining:
            ref = next((r for r in remaining if before.get(r, set()) <= done), remaining[0])
            remaining.remove(ref)
            result = work(ref)
            done.add(ref)
            yield ref, result
        return
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        running: dict[Future[T], str] = {}
        while remaining or running:
            ready = [r for r in remaining if before.get(r, set()) <= done]
            if not ready and not running:
                ready = remaining[:1]
            for ref in ready[: max(1, jobs) - len(running)]:
                remaining.remove(ref)
                running[pool.submit(work, ref)] = ref
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=lambda f: refs.index(running[f])):
                ref = running.pop(fut)
                done.add(ref)
                yield ref, fut.result()
