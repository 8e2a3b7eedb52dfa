"""Generated files -> symbols and spans, with tree-sitter.

Pure analysis (no LSP). Grammars load on first use of a language, so importing
this package is cheap. See `extract` for what a symbol's span covers.
"""

from specls.code.languages import SUPPORTED_LANGUAGES, language_for_path
from specls.code.symbols import (
    KINDS,
    MAX_PARSE_CHARS,
    Symbol,
    SymbolNotFound,
    find_symbol,
    list_symbols,
    replace_symbol,
    symbol_digest,
    symbol_hash,
    symbol_text,
)

__all__ = [
    "KINDS",
    "MAX_PARSE_CHARS",
    "SUPPORTED_LANGUAGES",
    "Symbol",
    "SymbolNotFound",
    "find_symbol",
    "language_for_path",
    "list_symbols",
    "replace_symbol",
    "symbol_digest",
    "symbol_hash",
    "symbol_text",
]
