"""Editing a long spec re-parses only the sections whose text changed: the rest
come from the per-section cache, shifted to where they now start. Whatever the
edit sequence, `Workspace.with_text` gives exactly the document a fresh parse
(no cache at all) gives."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest
from specls.dialect import chunk as chunk_module
from specls.dialect import parser as parser_module
from specls.dialect.model import SpecDocument
from specls.layouts import layout_for
from specls.workspace import Workspace

from tests.helpers import write_tree

REL = "specs/big.spec.md"


def big_spec(sections: int) -> str:
    parts = ["---\ngenerator: tangle\n---\n# Big spec 🛒\n"]
    for i in range(sections):
        parts.append(
            f"## Section {i} — ünïcödé 日本 {{#s{i}}}\n"
            f"[@generate](../src/m{i}.py) [@use](#s{max(i - 1, 0)}) "
            f"[see](other.spec.md#ü{i})\n\n"
            f"WHEN a user does 😀 {i} THE SYSTEM SHALL respond (covers: FR-{i:03d}).\n"
            f"- **FR-{i:03d}**: The system MUST do {i}. [NEEDS CLARIFICATION: 𝄞 {i}]\n\n"
            f"```python file=../src/m{i}.py\ndef f{i}() -> int:\n    return {i}\n```\n\n"
            f"Prose with a [link](https://example.com) and `code`.\n"
        )
        if i % 7 == 3:
            parts.append(f"### Sub {i}\nSetext below\n---\n    indented [@use](#s{i})\n")
    return "".join(parts)


# What an edit inserts: plain text, non-ASCII, and what changes the structure
# (newlines, headings, fences, explicit IDs, links, escapes, HTML).
PIECES = [
    "x",
    "é",
    "😀",
    "\n",
    "\n\n",
    "\n## New {#s1}\n",
    "\n### ",
    "```",
    "\n```\n",
    "{#id}",
    "[@use](#s2)",
    "\\",
    "`",
    "<!--",
    "---\n",
    "    ",
]


def _fresh_module(module: ModuleType) -> ModuleType:
    """A private copy of a module, executed anew: none of its caches filled."""
    spec = importlib.util.spec_from_file_location(f"_fresh_{module.__name__}", module.__file__)
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return copy


def fresh_parse(text: str) -> SpecDocument:
    """The document as a process that never saw another version of it parses it."""
    chunk = _fresh_module(chunk_module)
    parser = _fresh_module(parser_module)
    parser.parse_chunk_uncached = chunk.parse_chunk_uncached
    doc: SpecDocument = parser.parse_document(REL, text, layout_for(REL))
    return doc


@pytest.mark.parametrize("seed", range(4))
def test_edit_sequences_give_what_a_full_parse_gives(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    text = big_spec(120)
    root = write_tree(tmp_path / "ws", {REL: text, "specs/other.spec.md": "# Other\n"})
    ws = Workspace.load(root)
    for _ in range(25):
        at = rnd.randrange(len(text) + 1)
        if rnd.random() < 0.3:
            text = text[:at] + text[at + rnd.randrange(1, 40) :]  # a deletion
        else:
            text = text[:at] + rnd.choice(PIECES) + text[at:]
        ws = ws.with_text(REL, text)
        assert ws.docs[REL] == fresh_parse(text)


def test_a_one_character_edit_reparses_one_section(tmp_path: Path) -> None:
    text = big_spec(400)
    root = write_tree(tmp_path / "ws", {REL: text})
    ws = Workspace.load(root)
    calls: list[str] = []
    real = parser_module.parse_chunk_uncached

    def counting(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    parser_module.parse_chunk_uncached = counting  # type: ignore[assignment]
    try:
        at = text.index("MUST do 200")
        edited = text[:at] + "x" + text[at:]
        ws.with_text(REL, edited)  # may fill the cache (a warm load parsed nothing)
        calls.clear()
        at = edited.index("MUST do 300")
        ws = ws.with_text(REL, edited[:at] + "é" + edited[at:])
        assert len(calls) == 1 and "éMUST do 300" in calls[0]
        calls.clear()
        at = edited.index("MUST do 100")  # a new line: every later section moves down
        ws = ws.with_text(REL, edited[:at] + "\n" + edited[at:])
        assert len(calls) == 1 and "Section 100 " in calls[0]
    finally:
        parser_module.parse_chunk_uncached = real
