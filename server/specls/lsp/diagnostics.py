"""Diagnostics of a snapshot, by URI, and the diff against what was last published.

Every file with findings gets them (specs, the lock, the config and
generated files); a file whose findings vanished gets an empty list, so
fixed problems never linger in the editor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from lsprotocol import types

from specls.findings import Finding
from specls.lsp.convert import to_diagnostic
from specls.lsp.snapshot import Snapshot


def by_uri(snap: Snapshot, extra: Iterable[Finding] = ()) -> dict[str, list[types.Diagnostic]]:
    """`extra`: findings the analysis cannot know, like the last regeneration's failures."""
    out: dict[str, list[types.Diagnostic]] = defaultdict(list)
    for finding in (*snap.analysis.findings, *extra):
        out[snap.uri(finding.path)].append(to_diagnostic(snap.root, finding))
    for path, findings in snap.analysis.output_findings.items():
        for finding in findings:
            out[snap.uri(path)].append(to_diagnostic(snap.root, finding))
    return dict(out)


def changes(
    previous: dict[str, list[types.Diagnostic]], current: dict[str, list[types.Diagnostic]]
) -> dict[str, list[types.Diagnostic]]:
    """What must be sent: new or changed lists, and empty lists for cleared files."""
    out = {uri: diags for uri, diags in current.items() if previous.get(uri) != diags}
    for uri in previous:
        if uri not in current:
            out[uri] = []
    return out
