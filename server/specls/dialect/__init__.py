"""Spec text → sections, directives, code blocks, with exact ranges.

The symbols of a layout (requirement IDs, tasks, traces) are scanned by the
layout (`specls.layouts`) through the `SymbolScanner` hook.
"""

from specls.dialect.model import (
    CodeBlock,
    Directive,
    DirectiveKind,
    Link,
    Marker,
    Requirement,
    RequirementKind,
    Section,
    SpecDocument,
    Symbols,
    SymbolScanner,
)
from specls.dialect.parser import parse_document

__all__ = [
    "CodeBlock",
    "Directive",
    "DirectiveKind",
    "Link",
    "Marker",
    "Requirement",
    "RequirementKind",
    "Section",
    "SpecDocument",
    "SymbolScanner",
    "Symbols",
    "parse_document",
]
