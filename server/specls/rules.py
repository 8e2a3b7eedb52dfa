"""Tuning findings: per-code severity in the config, and inline disables in specs.

`[rules] SPEC108 = "off"` (or "error", "warning", "info", "hint") in
`specls.toml` changes a code's severity everywhere; a comment
`<!-- specls-disable SPEC107 -->` silences codes (all codes when none is
named) on its own line, or, alone on a line, on the block that follows it
(up to the next blank line). Both hosts see the same findings because the
analysis applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from specls.dialect import SpecDocument
from specls.findings import Finding, Severity

OFF = "off"
LEVELS = (*(s.value for s in Severity), OFF)
_DISABLE = re.compile(r"<!--\s*specls-disable(?P<codes>(?:[\s,]+SPEC\d{3})*)\s*-->")
_CODE = re.compile(r"SPEC\d{3}")


def disabled_lines(doc: SpecDocument) -> dict[int, frozenset[str] | None]:
    """Line → the codes disabled there (None: every code)."""
    out: dict[int, frozenset[str] | None] = {}
    for section in doc.sections:
        if "specls-disable" not in section.own_text:
            continue
        lines = section.own_text.split("\n")
        first = section.heading_range.start.line
        for i, line in enumerate(lines):
            m = _DISABLE.search(line)
            if m is None:
                continue
            codes = frozenset(_CODE.findall(m.group("codes"))) or None
            targets = [first + i]
            if not line.replace(m.group(0), "").strip():  # alone: the block below
                j = i + 1
                while j < len(lines) and lines[j].strip():
                    targets.append(first + j)
                    j += 1
            for t in targets:
                previous = out.get(t, frozenset())
                out[t] = None if codes is None or previous is None else previous | codes
    return out


# path -> (the document, its disabled lines): kept from one analysis to the next
DisabledCache = dict[str, tuple[SpecDocument, dict[int, frozenset[str] | None]]]


def tune(
    findings: Iterable[Finding],
    rules: Mapping[str, str],
    docs: Mapping[str, SpecDocument],
    cache: DisabledCache | None = None,
) -> list[Finding]:
    """The findings with the config's severities and the specs' inline disables applied.

    `cache` keeps each document's disabled lines while the document is the same."""
    disabled: DisabledCache = cache if cache is not None else {}
    out: list[Finding] = []
    for f in findings:
        level = rules.get(f.code.value)
        if level == OFF:
            continue
        doc = docs.get(f.path)
        if doc is not None:
            known = disabled.get(f.path)
            if known is None or known[0] is not doc:
                known = disabled[f.path] = (doc, disabled_lines(doc))
            lines = known[1]
            here = f.range.start.line
            if here in lines and (lines[here] is None or f.code.value in (lines[here] or ())):
                continue
        out.append(replace(f, severity=Severity(level)) if level else f)
    return out
