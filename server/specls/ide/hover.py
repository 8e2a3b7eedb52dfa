"""Hover: what a section generated and how fresh it is; what a reference names.

- a section heading or an output directive → a table of the unit's outputs
  with their status, when and by which generator they were made, and a
  preview of the artifact (the symbol's code, or the file's first lines);
- a `@use` → the start of the section it names (or of the file);
  a `@describe` → the described code;
- a requirement ID → its text, where it is defined and where it is traced;
- in a generated or described file, on a definition's name (or line 1) →
  the spec section behind it, with its status. Only names and the first
  line, so that hovering ordinary code is left to the language's own server.

Markdown when the client renders it, plain text otherwise: the host makes
that choice and passes it in; the text comes back with the range it covers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from specls import code
from specls.dialect import (
    Directive,
    DirectiveKind,
    Requirement,
    RequirementKind,
    Section,
    SpecDocument,
)
from specls.ide.index import index_for
from specls.ide.snapshot import Snapshot
from specls.ide.targets import (
    Place,
    Source,
    Target,
    directive_file,
    directive_target,
    expand_ref,
    hit_at,
    sources,
    task_path,
    unit_for_section,
)
from specls.ide.tracing import NamedBy, Tracing, feature_of, tasks_naming, tracing
from specls.layouts import layout_of
from specls.query import requirement_statement
from specls.status import UnitStatus
from specls.text import Position, Range, split_lines

PREVIEW_LINES = 40
EXCERPT_LINES = 12
_TASK_HEAD = r"[-*+]\s+\[[ xX~-]\]\*?\s*"  # `- [ ] `, Kiro's optional `- [ ]* `
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_EXTRA_LANGUAGES = {".md": "markdown", ".json": "json", ".toml": "toml", ".yaml": "yaml"}


# --- a tiny two-format writer -----------------------------------------------------------


@dataclass
class Writer:
    """Builds the hover text as Markdown or as plain text from the same calls."""

    markdown: bool
    blocks: list[str] = field(default_factory=list)

    def code_span(self, text: str) -> str:
        if not self.markdown:
            return text
        ticks = "``" if "`" in text else "`"
        return f"{ticks}{text}{ticks}"

    def bold(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def para(self, text: str) -> None:
        self.blocks.append(text)

    def bullets(self, items: Sequence[str]) -> None:
        self.blocks.append("\n".join(f"- {i}" for i in items))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        if self.markdown:
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        else:
            widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
            lines = [
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                for r in [header, *rows]
            ]
        self.blocks.append("\n".join(lines))

    def code(self, language: str, text: str) -> None:
        text = text.rstrip("\n")
        if not self.markdown:
            self.blocks.append(text)
            return
        longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * max(3, longest + 1)
        self.blocks.append(f"{fence}{language}\n{text}\n{fence}")

    def raw_markdown(self, text: str) -> None:
        """Spec text: Markdown already, shown as is either way."""
        self.blocks.append(text)

    def rule(self) -> None:
        self.blocks.append("---" if self.markdown else "—" * 3)

    def text(self) -> str:
        return "\n\n".join(self.blocks)


@dataclass(frozen=True, slots=True)
class Hover:
    """The hover text (Markdown when `markdown`, else plain text) and the span it is about."""

    text: str
    markdown: bool
    range: Range | None


# --- pieces -----------------------------------------------------------------------------


def language_of(path: str) -> str:
    lang = code.language_for_path(path)
    if lang:
        return lang
    dot = path.rfind(".")
    return _EXTRA_LANGUAGES.get(path[dot:].lower(), "") if dot >= 0 else ""


def head(text: str, limit: int) -> str:
    lines = split_lines(text)
    if len(lines) <= limit:
        return text
    return "\n".join(lines[:limit]) + f"\n… ({len(lines) - limit} more lines)"


def preview(snap: Snapshot, target: Target) -> tuple[str, str] | None:
    """(language, text) of what a target points at: the symbol's code or the file's start."""
    text = snap.text(target.rel)
    if text is None:
        return None
    body = code.symbol_text(text, target.symbol) if target.symbol is not None else text
    return language_of(target.rel), head(body, PREVIEW_LINES)


def section_excerpt(section: Section, limit: int = EXCERPT_LINES) -> str:
    """A section's own text without its heading; code blocks shortened to one line."""
    out: list[str] = []
    fence: str | None = None
    for line in split_lines(section.own_text)[1 if section.level else 0 :]:
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            info = line.strip()[len(fence) :].strip()
            out.append(f"*(code block{': ' + info if info else ''})*")
            continue
        if fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return head("\n".join(out), limit)


def section_ref(doc: SpecDocument, section: Section) -> str:
    return f"{doc.path}#{section.id}" if section.id else doc.path


def _when(us: UnitStatus, w: Writer) -> str:
    if us.lock is None:
        return f"Never generated; generator: {w.code_span(us.generator)}."
    return f"Generated {us.lock.generated} by {w.code_span(us.lock.generator)}."


def render_unit(w: Writer, us: UnitStatus) -> None:
    title = us.unit.title
    w.para(
        f"{w.bold(title)} · {w.code_span(us.ref)} — {us.status.value}"
        if title != us.ref
        else f"{w.code_span(us.ref)} — {us.status.value}"
    )
    w.table(["output", "status"], [[w.code_span(o.key), o.status.value] for o in us.outputs])
    w.para(_when(us, w))


def render_requirement(w: Writer, rid: str, defs: Sequence[Place], traces: Sequence[Place]) -> None:
    if defs:
        text = requirement_statement(rid, defs[0].text)
        w.para(f"{w.bold(rid)} — {text}" if text else w.bold(rid))
        w.para(
            "Defined in "
            + ", ".join(f"{w.code_span(p.doc.path)} line {p.range.start.line + 1}" for p in defs)
        )
    else:
        w.para(f"{w.bold(rid)}: no such requirement is defined.")
    if traces:
        w.para("Traced by:")
        w.bullets(
            [
                f"{w.code_span(section_ref(p.doc, p.section))} line {p.range.start.line + 1}"
                for p in traces
            ]
        )
    else:
        w.para("Not traced by any section yet.")


def render_section(w: Writer, doc: SpecDocument, section: Section) -> None:
    title = section.title or doc.path
    w.para(f"{w.bold(title)} · {w.code_span(section_ref(doc, section))}")
    excerpt = section_excerpt(section)
    if excerpt:
        w.raw_markdown(excerpt)


def render_preview(w: Writer, found: tuple[str, str] | None) -> None:
    if found is not None:
        w.code(*found)


# --- per construct ----------------------------------------------------------------------


def _hover_unit(
    snap: Snapshot, w: Writer, doc: SpecDocument, section: Section, focus: Directive | None
) -> bool:
    us = unit_for_section(doc, section, snap.analysis)
    if us is None:
        return False
    render_unit(w, us)
    directives = [focus] if focus else [o.output.directive for o in us.outputs]
    for d in directives:
        target = directive_target(snap, us.unit.doc, d)
        if target is not None:
            render_preview(w, preview(snap, target))
            break
    return True


def _hover_described(
    snap: Snapshot, w: Writer, doc: SpecDocument, directives: Sequence[Directive]
) -> bool:
    described = [d for d in directives if d.kind is DirectiveKind.DESCRIBE]
    if not described:
        return False
    keys = []
    for d in described:
        rel = directive_file(doc.path, d) or d.target
        keys.append(w.code_span(f"{rel}#{d.fragment}" if d.fragment else rel))
    w.para("Describes hand-written code (never regenerated): " + ", ".join(keys))
    target = directive_target(snap, doc, described[0])
    if target is not None:
        render_preview(w, preview(snap, target))
    return True


def _hover_use(snap: Snapshot, w: Writer, doc: SpecDocument, d: Directive) -> bool:
    target = directive_target(snap, doc, d)
    if target is None:
        return False
    if target.section is not None:
        render_section(w, *target.section)
    else:
        w.para(f"Uses {w.code_span(target.rel)} as context (hand-written).")
        render_preview(w, preview(snap, target))
    return True


def render_tracing(w: Writer, t: Tracing) -> None:
    """The tasks citing a definition (done or not) and the files and tests they name."""
    if t.tasks:
        marks = [f"{w.code_span(k.id)} {'✓' if k.done else '○'}" for k in t.tasks]
        w.para(f"{w.bold('Tasks')} ({t.done}/{len(t.tasks)} done): " + ", ".join(marks))
    if t.files:
        w.para(f"{w.bold('Files')}: " + ", ".join(w.code_span(f) for f in t.files))
    if t.tests:
        w.para(f"{w.bold('Tests')}: " + ", ".join(w.code_span(f) for f in t.tests))


def render_task(w: Writer, doc: SpecDocument, req: Requirement, t: Tracing | None) -> None:
    task = t.tasks[0] if t is not None and t.tasks else None
    state = "" if task is None else (" — done" if task.done else " — open")
    if task is not None and task.optional:
        state += " (optional)"
    text = re.sub(rf"^{_TASK_HEAD}{re.escape(req.id)}\.?\s*", "", req.text.strip())
    w.para(f"{w.bold('Task ' + req.id)}{state}" + (f": {text}" if text else ""))
    w.para(f"In {w.code_span(doc.path)} line {req.range.start.line + 1}")
    layout = layout_of(doc)
    # A Kiro task citing 1.2 also traces requirement 1: show what it wrote.
    implied = {p for c in task.cites for p in layout.parents(c)} if task is not None else set()
    cites = [c for c in task.cites if c not in implied] if task is not None else []
    if cites:
        w.para(f"{w.bold('Cites')}: " + ", ".join(w.code_span(c) for c in cites))
    if t is not None:
        render_tracing(w, replace(t, tasks=()))


def _definition(place: Place) -> Requirement | None:
    return next((r for r in place.section.requirements if r.range == place.range), None)


def _tracing(snap: Snapshot, doc: SpecDocument, req: Requirement | None) -> Tracing | None:
    if req is None:
        return None
    feature = feature_of(snap.workspace, doc)
    return tracing(feature, doc, req) if feature is not None else None


def _hover_requirement(snap: Snapshot, w: Writer, doc: SpecDocument, ids: Sequence[str]) -> bool:
    for i, rid in enumerate(ids):
        if i:
            w.rule()
        index = index_for(snap.workspace)
        defs = index.requirement_definitions(rid, doc.path)
        traces = index.requirement_uses(rid, doc.path)
        render_requirement(w, rid, defs, traces)
        if defs:
            found = _tracing(snap, defs[0].doc, _definition(defs[0]))
            if found is not None:
                render_tracing(w, found)
    return bool(ids)


def _hover_definition(snap: Snapshot, w: Writer, doc: SpecDocument, req: Requirement) -> None:
    """A definition under the cursor: a task shows itself (a Kiro task's number names no
    requirement), anything else its text and traces."""
    if req.kind is RequirementKind.TASK:
        render_task(w, doc, req, _tracing(snap, doc, req))
    else:
        _hover_requirement(snap, w, doc, [req.id])


def _hover_spec(snap: Snapshot, w: Writer, doc: SpecDocument, pos: Position) -> Range | None:
    hit = hit_at(doc, pos)
    if hit.directive is not None:
        d = hit.directive
        if d.kind is DirectiveKind.USE:
            done = _hover_use(snap, w, doc, d)
        elif d.kind is DirectiveKind.DESCRIBE:
            done = _hover_described(snap, w, doc, [d])
        else:
            done = _hover_unit(snap, w, doc, hit.section, d)
        return d.range if done else None
    if hit.heading:
        s = hit.section
        done = _hover_unit(snap, w, doc, s, None)  # a subsection shows its unit
        done = _hover_described(snap, w, doc, s.directives) or done
        return s.heading_range if done else None
    if hit.requirement is not None:
        _hover_definition(snap, w, doc, hit.requirement)
        return hit.requirement.range
    if hit.requirement_ref is not None:
        _hover_requirement(snap, w, doc, expand_ref(snap.workspace, doc, hit.requirement_ref.text))
        return hit.requirement_ref.range
    if hit.path_ref is not None:
        rel = task_path(snap, doc, hit.path_ref.text)
        if rel is None:
            return None
        render_preview(w, preview(snap, Target(rel, Range.of(0, 0), Range.of(0, 0))))
        return hit.path_ref.range
    return None


def render_sources(w: Writer, found: Sequence[Source]) -> None:
    for i, s in enumerate(found):
        if i:
            w.rule()
        if s.unit is not None and s.output is not None:
            key = s.output.key
            w.para(
                f"{w.bold('Generated from')} {w.code_span(section_ref(s.doc, s.section))}"
                f" ({w.code_span(key)}: {s.output.status.value})"
            )
            w.para(_when(s.unit, w))
        else:
            w.para(
                f"{w.bold('Described by')} {w.code_span(section_ref(s.doc, s.section))}"
                " (hand-written code, never regenerated)"
            )
        render_section(w, s.doc, s.section)


def render_named(w: Writer, named: Sequence[NamedBy]) -> None:
    """The tasks that name a file, and the requirements they cite."""
    for i, n in enumerate(named):
        if i or w.blocks:
            w.rule()
        state = "done" if n.task.done else "open"
        where = f"{w.code_span(n.place.doc.path)} line {n.place.range.start.line + 1}"
        w.para(f"{w.bold('Named by task ' + n.task.id)} ({state}) · {where}")
        rows = [f"{w.code_span(_cited_id(c))} — {_statement(c)}" for c in n.cites]
        if rows:
            w.bullets(rows)


def _cited_id(place: Place) -> str:
    r = _definition(place)
    return r.id if r is not None else place.text


def _statement(place: Place) -> str:
    return requirement_statement(_cited_id(place), place.text)


def _hover_comment(snap: Snapshot, w: Writer, rel: str, pos: Position) -> Range | None:
    """A trace in a code comment: the requirement or the section it names."""
    from specls.ide.comment_traces import named_at

    named = named_at(snap, rel, pos)
    if named is None:
        return None
    if named.section is not None:
        render_section(w, *named.section)
    elif named.requirements:
        for rid in dict.fromkeys(_cited_id(p) for p in named.requirements):
            defs = [p for p in named.requirements if _cited_id(p) == rid]
            render_requirement(
                w, rid, defs, index_for(snap.workspace).requirement_uses(rid, defs[0].doc.path)
            )
    else:
        w.para(f"{w.bold(named.trace.token)}: no requirement or section of this name is defined.")
    return named.trace.range


def _hover_output(snap: Snapshot, w: Writer, rel: str, pos: Position) -> Range | None:
    if (rng := _hover_comment(snap, w, rel, pos)) is not None:
        return rng
    text = snap.text(rel)
    language = code.language_for_path(rel)
    if text is None:
        return None
    names = (
        [s for s in code.list_symbols(text, language) if s.selection_range.contains(pos)]
        if language
        else []
    )
    if not names and pos.line != 0:
        return None
    found = sources(snap, rel, pos)
    named = (
        tasks_naming(snap.workspace, rel, lambda doc, p: task_path(snap, doc, p))
        if pos.line == 0
        else []
    )
    if not found and not named:
        return None
    render_sources(w, found)
    render_named(w, named)
    return names[-1].selection_range if names else None


def hover(snap: Snapshot, rel: str, pos: Position, markdown: bool) -> Hover | None:
    """What the construct at `pos` in `rel` is about, or None when specls has nothing to say."""
    w = Writer(markdown)
    doc = snap.workspace.docs.get(rel)
    rng = _hover_spec(snap, w, doc, pos) if doc is not None else _hover_output(snap, w, rel, pos)
    if not w.blocks:
        return None
    return Hover(w.text(), markdown, rng)
