"""Findings: every problem specls reports, with a stable code.

The CLI prints them, the server turns them into diagnostics; both read this
one catalogue so a code means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from specls.text import ZERO_RANGE, Range


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


class Code(StrEnum):
    # SPEC1xx: structure
    BROKEN_FILE_REF = "SPEC101"
    BROKEN_SECTION_REF = "SPEC102"
    DUPLICATE_ID = "SPEC103"
    USE_CYCLE = "SPEC104"
    OUTSIDE_WORKSPACE = "SPEC105"
    UNKNOWN_DIRECTIVE = "SPEC106"
    CLARIFICATION = "SPEC107"
    UNTRACED_REQUIREMENT = "SPEC108"
    BROKEN_REQUIREMENT_REF = "SPEC109"
    DUPLICATE_REQUIREMENT = "SPEC110"
    BAD_FRONT_MATTER = "SPEC111"
    UNSUPPORTED_SYMBOL_LANGUAGE = "SPEC112"
    BAD_FILE_TAG = "SPEC113"
    OPENSPEC_NO_SHALL = "SPEC114"
    OPENSPEC_NO_SCENARIO = "SPEC115"
    UNREADABLE_FILE = "SPEC116"
    BAD_LOCK = "SPEC117"
    BAD_CONFIG = "SPEC118"
    # SPEC2xx: freshness
    STALE = "SPEC201"
    EDITED = "SPEC202"
    MISSING = "SPEC203"
    UNGENERATED = "SPEC204"
    ORPHAN = "SPEC205"
    CONFLICT = "SPEC206"
    DESCRIBED_CODE_CHANGED = "SPEC207"
    # SPEC3xx: regeneration
    GENERATOR_FAILED = "SPEC301"
    GENERATOR_TIMEOUT = "SPEC302"
    GENERATOR_UNTRUSTED = "SPEC303"
    GENERATOR_UNKNOWN = "SPEC304"
    REGEN_REFUSED_EDITED = "SPEC305"
    REGEN_OUTPUT_NOT_PRODUCED = "SPEC306"
    # added later, numbered in their family
    LOCK_MERGE_CONFLICT = "SPEC208"  # a unit changed differently on both sides of a merge
    # SPEC13x: layout rules (added after the catalogue above; codes stay stable)
    OPENSPEC_DELTA_UNKNOWN = "SPEC130"
    OPENSPEC_DELTA_EXISTS = "SPEC131"
    # Added for issue 9 (kept at the end so parallel additions merge cleanly)
    FORBIDDEN_OUTPUT = "SPEC119"  # an output in .git, a spec, the lock, a dot-path not allowed
    UNREADABLE_OUTPUT = "SPEC209"  # an output exists but cannot be read
    INTERNAL_ERROR = "SPEC120"  # a bug in specls, caught: the rest of the analysis still runs
    # SPEC3xx added for agent generators (issue 12)
    GENERATOR_NOT_FOUND = "SPEC307"  # the generator's program is not on PATH
    GENERATOR_EMPTY_OUTPUT = "SPEC308"  # nothing printed, or an empty output file
    GENERATOR_OUTPUT_TOO_LARGE = "SPEC309"  # over the output cap (50 MB)
    GENERATOR_WROTE_OUTSIDE = "SPEC310"  # wrote outside its staging directory
    GENERATOR_UNDECLARED_FILES = "SPEC311"  # wrote files it was not asked for (ignored)


@dataclass(frozen=True, slots=True)
class Related:
    path: str  # workspace-relative, POSIX separators
    range: Range
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: Code
    severity: Severity
    message: str
    path: str  # workspace-relative, POSIX separators
    range: Range = ZERO_RANGE
    related: tuple[Related, ...] = ()
    unit: str | None = None  # the generation unit it concerns, "doc.spec.md#id"
    output: str | None = None  # the output key it concerns, "src/x.py#Sym"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.range.start.line, self.range.start.character, self.code.value)
