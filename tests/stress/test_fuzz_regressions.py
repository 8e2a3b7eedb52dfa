"""Minimal reproducers of what the server fuzzer (test_fuzz_server.py) found.

Each case opens a document, sends one incremental `didChange`, and compares
what the server shows of the text (its document symbols) with what it shows
for a second document opened directly with the text the edit must produce
(LSP 3.17: lines end at `\\r\\n`, `\\r` or `\\n` only; a character past the
end of a line means the end of the line). A difference means the server's
copy of the document has drifted from the editor's: every later diagnostic,
hover and edit on that document is then computed on a text the user never
wrote.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from stress_lsp import LspProcess, uri
from stress_text import apply_change

_names = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LspProcess]:
    root = tmp_path_factory.mktemp("regressions").resolve()
    (root / "specls.toml").write_text('include = ["**/*.spec.md"]\n', encoding="utf-8")
    proc = LspProcess(root, stderr_path=root / "server.log")
    proc.initialize()
    yield proc
    assert proc.alive(), proc.exit_note()
    proc.close()


def symbols(server: LspProcess, doc_uri: str) -> list[tuple[str, int, int]]:
    """(name, start line, start character) of every document symbol, depth first."""
    out: list[tuple[str, int, int]] = []

    def walk(items: list[Any]) -> None:
        for s in items:
            start = s["range"]["start"]
            out.append((s["name"], start["line"], start["character"]))
            walk(s.get("children") or [])

    walk(server.result("textDocument/documentSymbol", {"textDocument": {"uri": doc_uri}}) or [])
    return out


def open_text(server: LspProcess, text: str) -> str:
    doc_uri = uri(server.root / f"doc{next(_names)}.spec.md")
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": doc_uri, "languageId": "markdown", "version": 1, "text": text}},
    )
    return doc_uri


def edited_and_expected(
    server: LspProcess, text: str, at: tuple[int, int], new: str
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]], str]:
    doc_uri = open_text(server, text)
    position = {"line": at[0], "character": at[1]}
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": doc_uri, "version": 2},
            "contentChanges": [{"range": {"start": position, "end": position}, "text": new}],
        },
    )
    expected_text = apply_change(text, at, at, new)
    return (
        symbols(server, doc_uri),
        symbols(server, open_text(server, expected_text)),
        expected_text,
    )


# A position past the end of its line must mean the end of the line (LSP 3.17,
# "Position"). Found by the fuzzer once it sent such positions in edits.
PAST_LINE_END = [
    pytest.param("# A\n## B", (1, 99), "X", [("A", 0, 0), ("BX", 1, 0)], id="last-line"),
    pytest.param(
        "# A\n## B\n", (0, 4), "\n## C", [("A", 0, 0), ("C", 1, 0), ("B", 2, 0)], id="lf-line"
    ),
    pytest.param("# A\r\n## B\r\n", (0, 4), "Z", [("AZ", 0, 0), ("B", 1, 0)], id="crlf-line"),
]


@pytest.mark.parametrize(("text", "at", "new", "want"), PAST_LINE_END)
def test_edit_past_the_end_of_a_line_lands_at_its_end(
    server: LspProcess, text: str, at: tuple[int, int], new: str, want: list[Any]
) -> None:
    got, expected, expected_text = edited_and_expected(server, text, at, new)
    assert expected == want  # the reference document reads as intended
    assert got == expected, f"the server's text drifted; the editor has {expected_text!r}"


# Only \r\n, \r and \n end a line in LSP. Other characters Python's
# str.splitlines() breaks on (form feed is common in C and Lisp sources,
# U+2028 in text pasted from the web) must not shift the lines of later edits.
NOT_LINE_BREAKS = ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_only_cr_and_lf_end_a_line_in_an_edit(server: LspProcess, char: str) -> None:
    text = f"# A{char}B\n## C {{#c}}\n"
    got, expected, expected_text = edited_and_expected(server, text, (1, 0), "x")
    assert expected == [(f"A{char}B", 0, 0)]  # "x## C" is no heading any more
    assert got == expected, f"the server's text drifted; the editor has {expected_text!r}"
