"""Findings as text, JSON, GitHub workflow annotations or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from specls import __version__
from specls.findings import Finding, Severity
from specls.text import Range

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}
_GITHUB_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}


def _esc_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _esc_prop(text: str) -> str:
    return _esc_data(text).replace(":", "%3A").replace(",", "%2C")


def as_text(findings: Sequence[Finding], prefix: str) -> str:
    lines = []
    for f in findings:
        pos = f.range.start
        lines.append(
            f"{prefix}{f.path}:{pos.line + 1}:{pos.character + 1}: {f.severity.value}"
            f" {f.code.value} {f.message}"
        )
        for r in f.related:  # e.g. where a duplicate was first defined
            at = r.range.start
            lines.append(f"  {prefix}{r.path}:{at.line + 1}:{at.character + 1}: {r.message}")
    return "\n".join(lines)


def as_json(findings: Sequence[Finding], prefix: str) -> str:
    return json.dumps(
        [
            {
                "code": f.code.value,
                "severity": f.severity.value,
                "message": f.message,
                "path": prefix + f.path,
                "range": {
                    "start": {"line": f.range.start.line, "character": f.range.start.character},
                    "end": {"line": f.range.end.line, "character": f.range.end.character},
                },
                "unit": f.unit,
                "output": f.output,
                "related": [
                    {
                        "path": prefix + r.path,
                        "range": {
                            "start": {
                                "line": r.range.start.line,
                                "character": r.range.start.character,
                            },
                            "end": {"line": r.range.end.line, "character": r.range.end.character},
                        },
                        "message": r.message,
                    }
                    for r in f.related
                ],
            }
            for f in findings
        ],
        indent=2,
        ensure_ascii=False,
    )


def as_github(findings: Sequence[Finding], prefix: str) -> str:
    lines = []
    for f in findings:
        r = f.range
        props = (
            f"file={_esc_prop(prefix + f.path)},line={r.start.line + 1},"
            f"col={r.start.character + 1},endLine={r.end.line + 1},"
            f"endColumn={r.end.character + 1},title={f.code.value}"
        )
        lines.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_esc_data(f.message)}")
    return "\n".join(lines)


def _sarif_place(path: str, r: Range) -> dict[str, object]:
    return {
        "artifactLocation": {"uri": quote(path)},
        "region": {
            "startLine": r.start.line + 1,
            "startColumn": r.start.character + 1,
            "endLine": r.end.line + 1,
            "endColumn": r.end.character + 1,
        },
    }


def as_sarif(findings: Sequence[Finding], prefix: str) -> str:
    used = sorted({f.code for f in findings}, key=lambda c: c.value)
    rules = [
        {
            "id": c.value,
            "name": "".join(p.capitalize() for p in c.name.lower().split("_")),
            "shortDescription": {"text": c.name.lower().replace("_", " ")},
        }
        for c in used
    ]
    index = {c: i for i, c in enumerate(used)}
    results = []
    for f in findings:
        result: dict[str, object] = {
            "ruleId": f.code.value,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": _sarif_place(prefix + f.path, f.range)}],
        }
        if f.related:  # e.g. where a duplicate was first defined
            result["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": _sarif_place(prefix + r.path, r.range),
                    "message": {"text": r.message},
                }
                for i, r in enumerate(f.related)
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "specls",
                        "version": __version__,
                        "informationUri": "https://github.com/specls/specls",
                        "rules": rules,
                    }
                },
                "columnKind": "utf16CodeUnits",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


FORMATTERS = {"text": as_text, "json": as_json, "github": as_github, "sarif": as_sarif}
