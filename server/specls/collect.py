"""Where a pass of the analysis collects its findings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from specls.findings import Code, Finding, Related, Severity
from specls.text import ZERO_RANGE, Range

log = logging.getLogger("specls")


def internal_error(what: str, exc: BaseException, path: str, rng: Range = ZERO_RANGE) -> Finding:
    """The finding for a bug caught in one part of the analysis (logged with its traceback)."""
    log.error("internal error while %s", what, exc_info=exc)
    return Finding(
        Code.INTERNAL_ERROR,
        Severity.ERROR,
        f"internal error while {what}: {type(exc).__name__}: {exc}"
        " (a bug in specls; the rest of the analysis ran — please report it)",
        path,
        rng,
    )


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

    @contextmanager
    def guard(self, what: str, path: str, rng: Range = ZERO_RANGE) -> Iterator[None]:
        """Run one check; an exception in it becomes an internal-error finding, so one
        bad document or unit cannot stop the analysis of the root (issue 9)."""
        try:
            yield
        except Exception as exc:
            self.findings.append(internal_error(what, exc, path, rng))
