"""Shares of the units to regenerate, for parallel CI jobs (a GitHub Actions matrix).

A unit's regeneration reads only spec text, so units regenerate independently;
what they must not do is write the same file from two jobs, whose results
would then have to merge as text. Units whose outputs share a file go to the
same shard; the groups are spread so the shards hold about as many units each.
"""

from __future__ import annotations

from specls.status import Analysis, Status


def stale_units(analysis: Analysis) -> list[str]:
    """What `specls regen --stale` regenerates: every unit that is not fresh."""
    return sorted(ref for ref, us in analysis.units.items() if us.status is not Status.FRESH)


def shard(analysis: Analysis, refs: list[str], count: int) -> list[list[str]]:
    """`refs` in at most `count` non-empty shards, units sharing an output file together."""
    parent = {ref: ref for ref in refs}

    def find(ref: str) -> str:
        while parent[ref] != ref:
            parent[ref] = parent[parent[ref]]
            ref = parent[ref]
        return ref

    by_file: dict[str, str] = {}
    for ref in refs:
        for o in analysis.units[ref].outputs:
            other = by_file.setdefault(o.output.path, ref)
            parent[find(ref)] = find(other)
    groups: dict[str, list[str]] = {}
    for ref in refs:
        groups.setdefault(find(ref), []).append(ref)
    shards: list[list[str]] = [[] for _ in range(max(count, 1))]
    for group in sorted(groups.values(), key=lambda g: (-len(g), g)):
        min(shards, key=len).extend(group)
    return [sorted(s) for s in shards if s]
