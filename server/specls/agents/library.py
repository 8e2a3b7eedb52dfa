"""Every call the agent tools make into specls's library, in one place.

`specls mcp` and `specls guard` use `SpecService` and the regeneration
engine only through these functions, so when the service changes shape only
this module follows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specls.findings import Code, Finding
from specls.regen.engine import resolve_refs
from specls.regen.tangle import GenerationError
from specls.regen.transaction import TransactionError
from specls.service import ROOT_MARKERS, SpecService, WriteRefused, find_root
from specls.status import Analysis, Status
from specls.units import Graph, subtree
from specls.workspace import Workspace, resolve_path

# Worst first: what an agent should look at before touching code.
STATUS_ORDER = [
    Status.CONFLICT,
    Status.STALE,
    Status.EDITED,
    Status.UNGENERATED,
    Status.MISSING,
    Status.ORPHAN,
    Status.FRESH,
]


def is_specls_root(start: Path) -> bool:
    """True when a spec.lock or specls.toml is at or above `start` (a cheap test first)."""
    here = start if start.is_dir() else start.parent
    return any((d / m).exists() for d in (here, *here.parents) for m in ROOT_MARKERS)


def open_service(start: Path) -> SpecService:
    return SpecService.open(find_root(start))


def analyze(service: SpecService) -> Analysis:
    return service.analyze()


def workspace(service: SpecService) -> Workspace:
    return service.workspace


def config_problem(service: SpecService) -> str | None:
    p = next((p for p in service.workspace.problems if p.code is Code.BAD_CONFIG), None)
    return None if p is None else f"{p.path}:{p.range.start.line + 1}: {p.message}"


def relative(ws: Workspace, path: str, cwd: Path | None = None) -> str | None:
    """`path` (absolute, or relative to `cwd` or the root) as a workspace path, or None."""
    p = Path(path)
    if not p.is_absolute():
        p = (cwd or ws.root) / p
    real_root = os.path.realpath(ws.root)
    real = os.path.realpath(p)
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    return Path(os.path.relpath(real, real_root)).as_posix()


@dataclass(frozen=True)
class Owner:
    """A section that declares a file (or a symbol in it) as its output or describes it."""

    ref: str
    spec: str
    key: str
    symbol: str | None
    role: str  # "generate", "test" or "describe"


def owners(ws: Workspace, rel: str) -> list[Owner]:
    """Who owns `rel`, from the declarations alone (no hashing: fast enough for a hook)."""
    found: list[Owner] = []
    for ref, unit in sorted(Graph(ws).units.items()):
        for o in unit.outputs:
            if o.path == rel:
                found.append(Owner(ref, unit.doc.path, o.key, o.symbol, o.directive.kind.value))
    for ref, (doc, section) in sorted(ws.sections_by_ref.items()):
        for d in section.directives:
            if d.kind.value != "describe":
                continue
            if resolve_path(doc.path, d.path) == rel:
                key = f"{rel}#{d.fragment}" if d.fragment else rel
                found.append(Owner(ref, doc.path, key, d.fragment, "describe"))
    return found


def section_text(ws: Workspace, ref: str) -> str | None:
    found = ws.section(ref)
    if found is None:
        return None
    doc, section = found
    return "\n".join(s.own_text for s in subtree(doc, section))


def section_refs(ws: Workspace) -> list[str]:
    """Every heading's reference (not the document preambles)."""
    return sorted(r for r, (_, s) in ws.sections_by_ref.items() if s.level > 0)


def find_section(ws: Workspace, analysis: Analysis, wanted: str) -> list[str]:
    refs, _ = resolve_refs(ws, analysis, [wanted], section_refs(ws))
    return refs


def direct_uses(ws: Workspace, ref: str) -> tuple[list[str], list[str]]:
    """(sections, files) that `ref` names with `@use`."""
    graph = Graph(ws)
    found = ws.section(ref)
    if found is None:
        return [], []
    deps = graph.dependencies(*found)
    return (
        sorted({d.ref for d in deps if d.ref}),
        sorted({d.file for d in deps if d.file}),
    )


def transitive_uses(ws: Workspace, ref: str) -> list[str]:
    return Graph(ws).closure(ref)


def findings(analysis: Analysis) -> list[Finding]:
    return sorted(
        [*analysis.findings, *(f for fs in analysis.output_findings.values() for f in fs)],
        key=Finding.sort_key,
    )


def regenerate(
    service: SpecService,
    wanted: list[str],
    *,
    trusted: bool,
    allowed: list[str] | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """The CLI's transaction: plan every unit, write all or nothing, then the lock.

    `trusted` and `allowed` come from whoever started the host, never from
    the caller's request.
    """
    ws, analysis = service.workspace, service.analyze()
    refs, unknown = resolve_refs(ws, analysis, wanted)
    result: dict[str, Any] = {"regenerated": [], "failed": [], "refused": [], "warnings": []}
    if unknown:
        result["failed"] = [
            {"unit": w, "message": f"no generation unit matches {w}"} for w in unknown
        ]
        return result
    try:
        outcome = service.regenerate(
            analysis,
            refs,
            force=force,
            trusted=trusted,
            allowed=lambda name: not allowed or name in allowed,
        )
    except (WriteRefused, GenerationError, TransactionError, OSError) as exc:
        result["failed"] = [{"unit": r, "code": None, "message": str(exc)} for r in refs]
        result["written"] = False
        return result
    plan = outcome.plan
    result["warnings"] = [{"unit": r, "code": c.value, "message": m} for r, c, m in plan.warnings]
    for key, items in (("refused", plan.refused), ("failed", plan.failed)):
        result[key] = [
            {"unit": r, "code": plan.codes[r].value if r in plan.codes else None, "message": m}
            for r, m in items
        ]
    result["written"] = outcome.written
    if not outcome.written:
        return result
    result["regenerated"] = [
        {"unit": r.ref, "files": sorted(r.files), "generator": r.lock_entry.generator}
        for r in plan.results
    ]
    return result
