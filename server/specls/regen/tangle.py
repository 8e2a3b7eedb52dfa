"""Fenced blocks tagged `file=PATH` become a unit's outputs.

Used by the built-in `tangle` generator on the spec itself, and on the
Markdown an agent prints (`output = "markdown"`): the same code reads both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from specls import code
from specls.dialect import CodeBlock
from specls.findings import Code
from specls.units import Unit, owned_sections
from specls.workspace import resolve_path


class GenerationError(Exception):
    """The generator could not produce the unit's outputs; nothing is written."""

    def __init__(self, message: str, code: Code = Code.GENERATOR_FAILED) -> None:
        super().__init__(message)
        self.code = code


def unit_blocks(unit: Unit) -> list[CodeBlock]:
    return [b for s in owned_sections(unit.doc, unit.section) for b in s.code_blocks]


def blocks_by_key(blocks: Iterable[CodeBlock], doc_path: str) -> dict[str, list[str]]:
    """Block contents grouped by the output key their `file=` names."""
    found: dict[str, list[str]] = {}
    for block in blocks:
        if not block.file:
            continue
        path, _, fragment = block.file.partition("#")
        resolved = resolve_path(doc_path, path)
        if resolved is None:
            raise GenerationError(f"file={block.file} resolves outside the workspace")
        key = f"{resolved}#{fragment}" if fragment else resolved
        found.setdefault(key, []).append(block.content)
    return found


def tangle(
    unit: Unit, blocks: dict[str, list[str]], current: Callable[[str], str | None]
) -> dict[str, str]:
    """New full text of each file the unit writes.

    `current(path)` gives a file's present text, so a `#symbol` output replaces
    only that symbol's span and keeps the hand-written rest of the file.
    """
    files: dict[str, str] = {}
    for out in unit.outputs:
        parts = blocks.get(out.key)
        if not parts:
            raise GenerationError(
                code=Code.REGEN_OUTPUT_NOT_PRODUCED,
                message=f"no code for {out.key}: add a fenced block tagged"
                f" file={out.directive.target} to the section",
            )
        content = "".join(parts)
        if out.symbol is None:
            files[out.path] = content
            continue
        language = code.language_for_path(out.path)
        if language is None:
            raise GenerationError(f"cannot place symbol {out.symbol}: no parser for {out.path}")
        base = files.get(out.path)
        if base is None:
            base = current(out.path) or ""
        if code.find_symbol(base, language, out.symbol) is None:
            sep = (
                ""
                if not base or base.endswith("\n\n")
                else ("\n" if base.endswith("\n") else "\n\n")
            )
            files[out.path] = base + sep + content
        else:
            files[out.path] = code.replace_symbol(base, language, out.symbol, content)
        if code.find_symbol(files[out.path], language, out.symbol) is None:
            raise GenerationError(
                f"the code for {out.key} does not define {out.symbol} ({language})"
            )
    return files
