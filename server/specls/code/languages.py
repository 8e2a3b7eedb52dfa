"""Which tree-sitter grammar reads a file, loaded lazily.

Grammar modules are imported the first time a language is used, so importing
`specls.code` costs nothing. `Language` objects are immutable and cached per
process; `Parser` objects are not thread-safe, so each thread gets its own.
"""

from __future__ import annotations

import functools
import importlib
import threading
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language, Parser

# language -> (grammar module, function returning the language pointer)
_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "javascript": ("tree_sitter_javascript", "language"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "java": ("tree_sitter_java", "language"),
}

SUPPORTED_LANGUAGES: frozenset[str] = frozenset(_GRAMMARS)

_EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
}


def language_for_path(path: str) -> str | None:
    """The language of a file by its extension (case-insensitive), or None if unsupported.

    Accepts POSIX or Windows paths and `path#Symbol` references alike.
    """
    path = path.split("#", 1)[0].replace("\\", "/")
    return _EXTENSIONS.get(PurePath(path).suffix.lower())


@functools.cache
def ts_language(language: str) -> Language:
    """The tree-sitter `Language` for a supported language name (KeyError otherwise)."""
    from tree_sitter import Language

    module_name, function = _GRAMMARS[language]
    module = importlib.import_module(module_name)
    return Language(getattr(module, function)())


class _ThreadParsers(threading.local):
    def __init__(self) -> None:
        self.by_language: dict[str, Parser] = {}


_parsers = _ThreadParsers()


def parser_for(language: str) -> Parser:
    """This thread's parser for `language` (KeyError if unsupported)."""
    parser = _parsers.by_language.get(language)
    if parser is None:
        from tree_sitter import Parser

        parser = Parser(ts_language(language))
        _parsers.by_language[language] = parser
    return parser
