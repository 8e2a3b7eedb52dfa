"""Regeneration and stamping: plan (no writes), then apply as one transaction.

`plan_regen` runs the generators and returns the new file contents and lock
entries without touching disk, so the server can hand them to the editor as
a `workspace/applyEdit` and the CLI can write them with `apply_plan`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from specls import code
from specls.dialect import Section, SpecDocument
from specls.findings import Code, Finding, Severity
from specls.fsutil import create_private_file, read_regular
from specls.lock import LockUnit
from specls.outputs import OutputReader, whole_file_hash
from specls.paths import forbidden_output
from specls.regen.generators import (
    CancelCheck,
    GenerationCancelled,
    run_command,
    run_tangle,
)
from specls.regen.presets import BUILTIN, resolve_generator
from specls.regen.schedule import prerequisites, run_in_order
from specls.regen.tangle import GenerationError
from specls.status import Analysis, Status, UnitStatus
from specls.units import Graph, described_directives, make_unit
from specls.workspace import Workspace, resolve_path

BACKUP_DIR = ".specls/backup"


@dataclass
class UnitResult:
    ref: str
    files: dict[str, str]  # path -> new full text
    lock_entry: LockUnit
    replaces: str | None = None  # the old ID whose lock entry this unit took over


@dataclass
class Plan:
    results: list[UnitResult] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    edited_paths: list[str] = field(default_factory=list)  # to back up before writing
    codes: dict[str, Code] = field(default_factory=dict)  # unit -> SPEC3xx of its failure
    warnings: list[tuple[str, Code, str]] = field(default_factory=list)  # (unit, code, message)

    def findings(self, analysis: Analysis) -> list[Finding]:
        """Failed and refused units as SPEC3xx findings on their headings (not cancels)."""
        out = []
        for ref, message in [*self.failed, *self.refused]:
            us = analysis.units.get(ref)
            code_ = self.codes.get(ref)
            if us is None or code_ is None:
                continue
            severity = Severity.WARNING if code_ is Code.REGEN_REFUSED_EDITED else Severity.ERROR
            out.append(
                Finding(
                    code_,
                    severity,
                    f"regeneration failed: {message}"
                    if severity is Severity.ERROR
                    else f"regeneration refused: {message}",
                    us.unit.doc.path,
                    us.unit.section.heading_range,
                    unit=ref,
                )
            )
        return out

    @property
    def files(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in self.results:
            out.update(r.files)
        return out

    @property
    def ok(self) -> bool:
        return not self.failed and not self.refused


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def output_hashes(us: UnitStatus, files: dict[str, str], reader: OutputReader) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for o in us.outputs:
        path, symbol = o.output.path, o.output.symbol
        text = files.get(path)
        if text is None:
            found = reader.output_hash(path, symbol)
        elif symbol:
            found = code.symbol_hash(text, code.language_for_path(path) or "", symbol)
        else:
            found = whole_file_hash(text.encode("utf-8"))
        if found is not None:
            hashes[o.key] = found
    return hashes


def described_hashes(doc: SpecDocument, section: Section, reader: OutputReader) -> dict[str, str]:
    """Hashes of the hand-written code a section `@describe`s, as they are now."""
    out: dict[str, str] = {}
    for d in described_directives(doc, section):
        path = resolve_path(doc.path, d.path)
        if path is None:
            continue
        h = reader.output_hash(path, d.fragment)
        if h:
            out[f"{path}#{d.fragment}" if d.fragment else path] = h
    return out


def describing_refs(ws: Workspace, analysis: Analysis) -> list[str]:
    """Sections that are not units but `@describe` code: they can be stamped too."""
    return sorted(
        ref
        for ref, (doc, section) in ws.sections_by_ref.items()
        if ref not in analysis.units and section.level > 0 and described_directives(doc, section)
    )


def stampable(ws: Workspace, analysis: Analysis) -> list[str]:
    return sorted([*analysis.units, *describing_refs(ws, analysis)])


@dataclass(frozen=True)
class UnitEvent:
    """What a running regeneration reports per unit, for a progress display."""

    ref: str
    kind: Literal["start", "line", "done", "failed", "refused"]
    generator: str = ""
    text: str = ""  # the agent's latest stderr line, or the failure message


@dataclass
class _Outcome:
    result: UnitResult | None = None
    failed: str | None = None
    refused: str | None = None
    code: Code | None = None
    edited: list[str] = field(default_factory=list)
    warnings: list[tuple[Code, str]] = field(default_factory=list)


def plan_regen(
    ws: Workspace,
    analysis: Analysis,
    reader: OutputReader,
    refs: list[str],
    *,
    force: bool = False,
    trusted: bool = True,
    allowed: Callable[[str], bool] = lambda name: True,
    cancelled: CancelCheck = lambda: False,
    progress: Callable[[str, int, int], None] = lambda ref, i, n: None,
    generator: str | None = None,
    jobs: int = 1,
    on_event: Callable[[UnitEvent], None] = lambda event: None,
) -> Plan:
    """Run the generators of `refs` (at most `jobs` at once, each after what it
    `@use`s) and collect the new files and lock entries; writes nothing.

    `generator` overrides the document's and the config's choice for every unit.
    """
    plan = Plan()
    graph = Graph(ws)
    pending: dict[str, str] = {}
    guard = threading.Lock()
    failed: set[str] = set()
    before = prerequisites(graph, refs)
    started = 0

    def current(path: str) -> str | None:
        with guard:
            if path in pending:
                return pending[path]
        return reader.text(path)

    def one(ref: str) -> _Outcome:
        nonlocal started
        if cancelled():
            return _Outcome(failed="cancelled")
        with guard:
            index, started = started, started + 1
        progress(ref, index, len(refs))
        us = analysis.units.get(ref)
        if us is None:
            return _Outcome(failed=f"{ref} is not a generation unit")
        broken = sorted(before.get(ref, set()) & failed)
        if broken:
            return _Outcome(failed=f"not run: it depends on {', '.join(broken)}, which failed")
        edited = [o for o in us.outputs if o.status is Status.EDITED]
        if edited and not force:
            keys = ", ".join(o.key for o in edited)
            return _Outcome(
                refused=f"{keys} edited by hand; move the change into the spec, or force (a"
                " backup is kept)",
                code=Code.REGEN_REFUSED_EDITED,
            )
        unreadable = [o for o in us.outputs if o.status is Status.UNREADABLE]
        if unreadable:  # even with force: what cannot be read cannot be backed up
            path = unreadable[0].output.path
            return _Outcome(failed=f"cannot read {path}: {reader.state(path).error}")
        if any(o.status is Status.CONFLICT for o in us.outputs):
            return _Outcome(failed="an output is claimed by several sections")
        forbidden = [
            why
            for o in us.outputs
            if (why := forbidden_output(ws.root, ws.config, o.output.path, ws.spec_paths))
        ]
        if forbidden:  # even with force: a cloned spec must not write these (SPEC119)
            return _Outcome(failed="; ".join(forbidden), code=Code.FORBIDDEN_OUTPUT)
        escaping = [o.key for o in us.outputs if reader.escapes_root(o.output.path)]
        if escaping:
            return _Outcome(
                failed=f"{', '.join(escaping)} resolves outside the workspace (through a symlink)"
            )
        name = generator or us.unit.doc.generator or ws.config.generator
        on_event(UnitEvent(ref, "start", name))
        warnings: list[tuple[Code, str]] = []
        try:
            if name == BUILTIN:
                files = run_tangle(us.unit, current)
            else:
                gen = resolve_generator(ws.config, name)
                if not trusted:
                    raise GenerationError(
                        f"generator '{name}' not run: the workspace is not trusted",
                        Code.GENERATOR_UNTRUSTED,
                    )
                if not allowed(name):
                    raise GenerationError(
                        f"generator '{name}' is not in the allow-list", Code.GENERATOR_UNTRUSTED
                    )
                generated = run_command(
                    ws,
                    graph,
                    us.unit,
                    name,
                    gen,
                    current,
                    cancelled,
                    lambda line: on_event(UnitEvent(ref, "line", name, line)),
                )
                files, warnings = generated.files, generated.warnings
        except GenerationError as exc:
            cancelled_ = isinstance(exc, GenerationCancelled)
            return _Outcome(failed=str(exc), code=None if cancelled_ else exc.code)
        except code.SymbolNotFound as exc:
            return _Outcome(failed=str(exc))
        new_hashes = output_hashes(us, files, reader)
        unowned = [  # on disk, never generated by specls (no lock entry), and different
            o
            for o in us.outputs
            if o.locked_hash is None
            and o.current_hash is not None
            and new_hashes.get(o.key) != o.current_hash
        ]
        if unowned and not force:
            keys = ", ".join(o.key for o in unowned)
            return _Outcome(
                refused=f"{keys} exists, has no lock entry and differs from what would be"
                " written (hand-written?); move it into the spec, or force (a backup is kept)",
                code=Code.REGEN_REFUSED_EDITED,
            )
        with guard:
            pending.update(files)
            seen = dict(pending)
        use_hashes = {
            f: whole_file_hash(seen[f].encode()) if f in seen else reader.file_hash(f)
            for f in graph.use_files(us.unit)
        }
        entry = LockUnit(
            spec=us.unit.spec_hash,
            inputs=graph.inputs_hash(us.unit, use_hashes),
            generator=name,
            generated=now_stamp(),
            outputs=new_hashes,
            described=described_hashes(us.unit.doc, us.unit.section, reader),
        )
        return _Outcome(
            result=UnitResult(ref, files, entry, us.adopted_from),
            edited=[o.output.path for o in (*edited, *unowned)],
            warnings=warnings,
        )

    for ref, out in run_in_order(refs, before, one, jobs):
        gen_name = ""
        if out.result is not None:
            plan.results.append(out.result)
            plan.edited_paths.extend(out.edited)
            gen_name = out.result.lock_entry.generator
            on_event(UnitEvent(ref, "done", gen_name, ", ".join(sorted(out.result.files))))
        elif out.refused is not None:
            failed.add(ref)
            plan.refused.append((ref, out.refused))
            on_event(UnitEvent(ref, "refused", text=out.refused))
        else:
            failed.add(ref)
            plan.failed.append((ref, out.failed or "failed"))
            on_event(UnitEvent(ref, "failed", text=out.failed or "failed"))
        if out.code is not None:
            plan.codes[ref] = out.code
        plan.warnings.extend((ref, c, m) for c, m in out.warnings)
    # Back in the order asked for: units writing the same file already ran in that
    # order, so the last result for a file is still the one that builds on the others.
    order = {r: i for i, r in enumerate(refs)}
    plan.results.sort(key=lambda r: order.get(r.ref, 0))
    plan.failed.sort(key=lambda item: order.get(item[0], 0))
    plan.refused.sort(key=lambda item: order.get(item[0], 0))
    return plan


def back_up(root: Path, paths: list[str]) -> Path | None:
    """Copy `paths` to `.specls/backup/<time>/` before they are overwritten.

    Created with `create_private_file`: a `.specls` (or any part below it)
    that is a symlink is refused (UnsafePathError, an OSError) rather than
    followed, so a cloned repository cannot send backups outside the root.
    """
    if not paths:
        return None
    stamp_dir = f"{BACKUP_DIR}/{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
    for rel in dict.fromkeys(paths):  # two symbols of one file: one copy of it
        try:
            data = read_regular(root / rel)
        except FileNotFoundError:
            continue
        create_private_file(root, f"{stamp_dir}/{rel}", data)
    return root / stamp_dir


def stamp_entries(
    ws: Workspace, analysis: Analysis, reader: OutputReader, refs: list[str]
) -> tuple[dict[str, LockUnit], list[str]]:
    """The lock entries that accept the current outputs of `refs` as fresh, and the
    entries they replace (a renamed heading's old entry, which the new one adopts)."""
    previous_units = ws.lock.units if ws.lock else {}
    entries: dict[str, LockUnit] = {}
    replaced: list[str] = []
    for ref in refs:
        us = analysis.units.get(ref)
        previous = previous_units.get(ref)
        if us is None:
            found = ws.section(ref)
            if found is None or not described_directives(*found):
                raise GenerationError(f"{ref} is not a generation unit")
            doc, section = found
            spec_hash = make_unit(doc, section).spec_hash
            entries[ref] = LockUnit(
                spec=spec_hash,
                inputs=spec_hash,
                generator="none",
                generated=previous.generated if previous else now_stamp(),
                described=described_hashes(doc, section, reader),
            )
            continue
        if us.adopted_from is not None:  # the entry follows the section's new ID
            previous = previous or previous_units.get(us.adopted_from)
            replaced.append(us.adopted_from)
        entries[ref] = LockUnit(
            spec=us.unit.spec_hash,
            inputs=us.inputs_hash,
            generator=previous.generator if previous else us.generator,
            generated=previous.generated if previous else now_stamp(),
            outputs=output_hashes(us, {}, reader),
            described=described_hashes(us.unit.doc, us.unit.section, reader),
        )
    return entries, replaced


def prune_refs(ws: Workspace, analysis: Analysis) -> list[str]:
    """The lock entries `stamp --prune` drops: sections that no longer exist. A spec
    that exists but was not read (unreadable, too big, excluded) keeps its entries."""
    out = []
    for ref in analysis.orphans:
        path = ref.partition("#")[0]
        if path in ws.unreadable or (path not in ws.docs and (ws.root / path).exists()):
            continue
        out.append(ref)
    return out


def resolve_refs(
    ws: Workspace, analysis: Analysis, wanted: list[str], candidates: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Unit refs for user input: full refs, `#id`, bare ids or spec paths (all units in it).

    `candidates` are the refs to choose from (default: the generation units).
    """
    found: list[str] = []
    unknown: list[str] = []
    graph_units = list(analysis.units) if candidates is None else candidates
    for w in wanted:
        w = w.removeprefix("./")
        if w in graph_units:
            found.append(w)
            continue
        matches = [
            r for r in graph_units if r.split("#", 1)[0] == w or r.endswith("#" + w.lstrip("#"))
        ]
        if matches:
            found.extend(m for m in matches if m not in found)
        else:
            unknown.append(w)
    return found, unknown
