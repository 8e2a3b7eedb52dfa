"""Document links: every directive target and task-line path becomes clickable.

A path links to the file (`file:///…`); a `#symbol` to the file at the
symbol's line (`file:///…#L12`, 1-based, the form VS Code and Neovim open);
a `#id` or `doc.spec.md#id` to the spec at the section's heading line.
Targets that do not exist (yet) get no link: the diagnostics say why.
Tooltips only for clients that announce `tooltipSupport`.
"""

from __future__ import annotations

from lsprotocol import types

from specls.lsp.convert import path_to_uri, to_range
from specls.lsp.definition import Target, directive_target, task_path
from specls.lsp.snapshot import Snapshot
from specls.text import ZERO_RANGE, Range


def _uri(snap: Snapshot, target: Target) -> str:
    uri = path_to_uri(snap.root / target.rel)
    if target.section is None and target.symbol is None:
        return uri
    return f"{uri}#L{target.selection.start.line + 1}"


def _tooltip(target: Target) -> str:
    if target.section is not None:
        doc, section = target.section
        where = f"{doc.path}#{section.id}" if section.id else doc.path
        title = section.title or doc.path
        return f"Go to section “{title}” ({where})"
    if target.symbol is not None:
        line = target.selection.start.line + 1
        return f"Open {target.symbol.name} in {target.rel} (line {line})"
    return f"Open {target.rel}"


def tooltip_support(caps: types.ClientCapabilities) -> bool:
    link = caps.text_document.document_link if caps.text_document else None
    return bool(link and link.tooltip_support)


def document_links(snap: Snapshot, uri: str, tooltips: bool = True) -> list[types.DocumentLink]:
    doc = snap.doc(uri)
    if doc is None:
        return []
    found: list[tuple[Range, Target]] = []
    for section in doc.sections:
        for d in section.directives:
            target = directive_target(snap, doc, d)
            if target is not None:
                found.append((d.target_range, target))
        for m in section.path_refs:
            rel = task_path(snap, doc, m.text)
            if rel is not None:
                found.append((m.range, Target(rel, ZERO_RANGE, ZERO_RANGE)))
    return [
        types.DocumentLink(
            range=to_range(rng), target=_uri(snap, t), tooltip=_tooltip(t) if tooltips else None
        )
        for rng, t in found
    ]


def run(snap: Snapshot, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
    tooltips = tooltip_support(snap.capabilities)
    return document_links(snap, params.text_document.uri, tooltips)


OPTIONS = types.DocumentLinkOptions(resolve_provider=False)
