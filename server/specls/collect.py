"""Where a pass of the analysis collects its findings."""

from __future__ import annotations

from specls.findings import Code, Finding, Related, Severity
from specls.text import Range


class Collector:
    """A list of findings with a short way to add one."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(
        self,
        code_: Code,
        severity: Severity,
        message: str,
        path: str,
        rng: Range,
        unit: str | None = None,
        output: str | None = None,
        related: tuple[Related, ...] = (),
    ) -> None:
        self.findings.append(Finding(code_, severity, message, path, rng, related, unit, output))
