"""Document links: every directive target, task-line path and plain Markdown link that exists.

A path links to the file; a `#symbol` to the symbol; a `#id` or
`doc.spec.md#id` to the section; a relative `[spec.md](./spec.md)` between
a feature's files (what editors leave to their Markdown support, which a
spec-only client may lack) to the file. Targets that do not exist (yet) get no
link: the diagnostics say why. The tooltip is plain text; whether the
client shows tooltips is the host's call.
"""

from __future__ import annotations

from dataclasses import dataclass

from specls.ide.snapshot import Snapshot
from specls.ide.targets import Target, directive_target, markdown_link_target, task_path
from specls.text import ZERO_RANGE, Range


@dataclass(frozen=True, slots=True)
class DocumentLink:
    range: Range  # the clickable text
    target: Target
    tooltip: str

    @property
    def line(self) -> int | None:
        """The 1-based line to open the target at (a section or a symbol), else None."""
        t = self.target
        if t.section is None and t.symbol is None:
            return None
        return t.selection.start.line + 1


def tooltip(target: Target) -> str:
    if target.section is not None:
        doc, section = target.section
        where = f"{doc.path}#{section.id}" if section.id else doc.path
        title = section.title or doc.path
        return f"Go to section “{title}” ({where})"
    if target.symbol is not None:
        line = target.selection.start.line + 1
        return f"Open {target.symbol.name} in {target.rel} (line {line})"
    return f"Open {target.rel}"


def document_links(snap: Snapshot, rel: str) -> list[DocumentLink]:
    doc = snap.workspace.docs.get(rel)
    if doc is None:
        return []
    found: list[tuple[Range, Target]] = []
    for section in doc.sections:
        for d in section.directives:
            target = directive_target(snap, doc, d)
            if target is not None:
                found.append((d.target_range, target))
        for m in section.path_refs:
            path = task_path(snap, doc, m.text)
            if path is not None:
                found.append((m.range, Target(path, ZERO_RANGE, ZERO_RANGE)))
        directives = {d.target_range for d in section.directives}
        for link in section.links:
            target = markdown_link_target(snap, doc, link)
            if target is not None and link.range not in directives:
                found.append((link.range, target))
    return [DocumentLink(rng, t, tooltip(t)) for rng, t in found]
