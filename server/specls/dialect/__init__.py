"""Spec text → sections, directives, requirement IDs, with exact ranges."""

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
    "parse_document",
]
