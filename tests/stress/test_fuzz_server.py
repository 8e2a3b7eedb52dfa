"""Stateful fuzzing of the real server (issue 9, "What it must show").

A hypothesis state machine drives `python -m specls serve` over stdio on a
copy of examples/shop, as an editor would but less politely: documents are
opened (sometimes with CRLF line endings), edited incrementally at random
UTF-16 positions (inside surrogate pairs and past the end of a line too,
several changes per notification, text with CRLF, lone CR, emoji, CJK and
characters that are line breaks for Python but not for LSP) and closed; requests
are pipelined at random positions, in range and out of it, and some are
cancelled; pauses around the debounce delay let analyses run between edits. Invariants:

- the server never dies and answers every request (a result or a JSON-RPC
  error) within REQUEST_TIMEOUT; a feature that crashes (InternalError) fails,
  and so does any traceback in the server's log;
- after the sequence, once the debounce has settled, the diagnostics it has
  published (every URI), and the document symbols, folding ranges and semantic
  tokens of each open document, equal those of a fresh server opened on the
  final texts (which the test tracks with its own model of LSP document sync,
  `stress_text`), so a server whose copy of a document drifted is caught.

Profiles (figures are printed at the end of the run):
    CI (default):  derandomized, a fixed number of sequences, no shrinking
    long:          SPECLS_FUZZ=long .venv/bin/python -m pytest -s tests/stress/test_fuzz_server.py
Overrides: SPECLS_FUZZ_SEQUENCES, SPECLS_FUZZ_STEPS, SPECLS_FUZZ_SHRINK=1,
SPECLS_FUZZ_SYNC=safe (leave out the edits that make the server's copy of a
document drift today, see test_fuzz_regressions.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from stress_lsp import LspProcess, NoAnswer, ServerDied, uri
from stress_text import apply_change, end_position, line_spans, positions, utf16_length

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "shop"

PROFILE = os.environ.get("SPECLS_FUZZ", "ci")
LONG = PROFILE == "long"
SEQUENCES = int(os.environ.get("SPECLS_FUZZ_SEQUENCES", "300" if LONG else "5"))
STEPS = int(os.environ.get("SPECLS_FUZZ_STEPS", "60" if LONG else "40"))
SHRINK = os.environ.get("SPECLS_FUZZ_SHRINK", "1" if LONG else "0") == "1"
# "safe": no edit past a line end and no non-LSP line break in inserted text, the two
# ways the server's copy of a document drifts today (test_fuzz_regressions.py); lets
# the fuzzer look for other bugs until those are fixed.
SAFE_SYNC = os.environ.get("SPECLS_FUZZ_SYNC", "lsp") == "safe"
REQUEST_TIMEOUT = 20.0  # seconds; generous: the CI machine is shared
QUIET = 1.0  # seconds without a new analysis before the diagnostics count as final

# Documents the fuzzer may open: every spec, a non-spec Markdown file that a unit
# @uses, two outputs (open buffers win over the disk for hashing) and a spec that
# exists only in the editor.
DOCS = [
    "specs/auth.spec.md",
    "specs/cart.spec.md",
    "specs/catalog.spec.md",
    "specs/requirements.spec.md",
    "specs/users.spec.md",
    "docs/pricing-policy.md",
    "src/shop/cart.py",
    "src/shop/app.py",
    "specs/scratch.spec.md",
]
SCRATCH = "# Scratch 🧪\n\n## Notes {#notes}\n[@use](cart.spec.md#cart) 中文\n"

SNIPPETS = [
    "\n## New section {#new}\n",
    "\n## Login {#login}\n",
    "## 见 😀\n",
    "[@use](#cart)",
    "[@use](cart.spec.md#pricing)",
    "[@use](nowhere.spec.md#x)",
    "[@generate](../src/shop/cart.py)",
    "[@generate](../src/shop/app.py#create_session)",
    "[@test](../tests/test_catalog.py)",
    "[@describe](../src/shop/app.py#main)",
    "[@bogus](x)",
    "```python file=../src/shop/cart.py\n",
    "```python file=../src/shop/nope.py\n",
    "\n```\n",
    "[NEEDS CLARIFICATION: 中文?]",
    "(covers: FR-001)",
    "(covers: FR-404)",
    "- **FR-009**: The system MUST 😀.\n",
    "{#pricing}",
    "---\ngenerator: tangle\n---\n",
    "def create_session(login: str) -> str:\n    return login\n",
    "\r\n",
    "\r",
    "\n",
    "😀",
    "🛒𝄞",
    "中文",
    "é",
]
# Characters that are not line breaks in LSP but are in Python's str.splitlines().
NOT_LINE_BREAKS = ["\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\x1c"]
ALPHABET = st.sampled_from(
    [*"ab #[]()@`{}-*:\t\n", "\r\n", "\r", "é", "中", "😀", "𝄞"]
    + ([] if SAFE_SYNC else NOT_LINE_BREAKS)
)
TEXT = st.lists(
    st.one_of(st.sampled_from(SNIPPETS), st.lists(ALPHABET, max_size=6).map("".join)),
    max_size=3,
).map("".join)

FEATURES = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/completion",
    "textDocument/references",
    "textDocument/implementation",
    "textDocument/prepareRename",
    "textDocument/documentSymbol",
    "textDocument/codeLens",
    "textDocument/codeAction",
    "textDocument/semanticTokens/full",
    "textDocument/foldingRange",
    "textDocument/documentLink",
]
POSITIONAL = {
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/completion",
    "textDocument/references",
    "textDocument/implementation",
    "textDocument/prepareRename",
}
# Errors a client must accept: cancelled, content modified, invalid params (an
# out-of-range position), request failed (e.g. prepareRename on nothing).
ACCEPTED_ERRORS = {-32800, -32801, -32602, -32803}


@dataclass
class Figures:
    sequences: int = 0
    steps: int = 0
    edits: int = 0
    changes: int = 0
    surrogate_splits: int = 0
    past_line_end: int = 0
    opens: int = 0
    closes: int = 0
    requests: int = 0
    cancels: int = 0
    pauses: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    compared_diagnostics: int = 0
    nonempty_final: int = 0
    failures: int = 0
    failure_notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def report(self) -> str:
        answers = ", ".join(f"{k} {v}" for k, v in sorted(self.answers.items()))
        return (
            f"specls server fuzz ({PROFILE} profile{', safe sync' if SAFE_SYNC else ''}): "
            f"{self.sequences} sequences, "
            f"{self.steps} operations ({self.edits} didChange with {self.changes} changes, "
            f"{self.surrogate_splits} at a split surrogate pair, {self.past_line_end} past a "
            f"line end; {self.opens} didOpen, "
            f"{self.closes} didClose; {self.requests} requests, {self.cancels} cancelled; "
            f"{self.pauses} pauses), "
            f"answers: {answers or 'none'}; {self.compared_diagnostics} final diagnostic sets "
            f"compared with a fresh server ({self.nonempty_final} non-empty); "
            f"failures: {self.failures}; {time.monotonic() - self.started:.0f} s"
        )


FIGURES = Figures()


@dataclass
class Doc:
    text: str
    version: int


def language(rel: str) -> str:
    return "markdown" if rel.endswith(".md") else "python"


def final_diagnostics(server: LspProcess) -> dict[str, set[tuple[Any, ...]]]:
    out: dict[str, set[tuple[Any, ...]]] = {}
    for doc_uri, params in server.diagnostics.items():
        items = {
            (
                (
                    d["range"]["start"]["line"],
                    d["range"]["start"]["character"],
                    d["range"]["end"]["line"],
                    d["range"]["end"]["character"],
                ),
                d.get("code"),
                d.get("severity"),
                d["message"],
            )
            for d in params["diagnostics"]
        }
        if items:
            out[doc_uri] = items
    return out


def wait_settled(server: LspProcess, since: float, timeout: float = 60.0) -> None:
    """Wait until an analysis newer than `since` was announced (`specls/status`, sent
    after every analysis, docs/protocol.md) and no other followed for QUIET seconds."""
    deadline = time.monotonic() + timeout
    while True:
        stamps = server.notification_times("specls/status")
        now = time.monotonic()
        if stamps and stamps[-1] > since and now - stamps[-1] >= QUIET:
            return
        if now > deadline:
            raise NoAnswer(f"no settled analysis within {timeout} s of the last edit")
        if not server.alive():
            raise ServerDied(server.exit_note())
        time.sleep(0.05)


def document_views(server: LspProcess, doc_uris: list[str]) -> dict[str, Any]:
    """What the server shows of each document's text: symbols, folding, tokens."""
    views: dict[str, Any] = {}
    for doc_uri in doc_uris:
        ident = {"textDocument": {"uri": doc_uri}}
        for method in (
            "textDocument/documentSymbol",
            "textDocument/foldingRange",
            "textDocument/semanticTokens/full",
        ):
            response = server.request(method, ident, REQUEST_TIMEOUT)
            views[f"{method} {doc_uri}"] = response.get("result", response.get("error"))
    return views


class ServerFuzz(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="specls-fuzz-"))
        self.root = self.tmp / "shop"
        shutil.copytree(EXAMPLE, self.root, ignore=shutil.ignore_patterns("__pycache__", ".specls"))
        self.root = self.root.resolve()
        self.server = LspProcess(self.root, stderr_path=self.tmp / "server.log")
        self.server.initialize(REQUEST_TIMEOUT)
        self.docs: dict[str, Doc] = {}
        self.versions: dict[str, int] = {}
        self.pending: dict[int, tuple[str, float]] = {}
        self.sent: list[int] = []
        self.last_sync = time.monotonic()
        FIGURES.sequences += 1

    # --- helpers ------------------------------------------------------------------------

    def uri(self, rel: str) -> str:
        return uri(self.root / rel)

    def disk_text(self, rel: str) -> str:
        path = self.root / rel
        return path.read_text("utf-8") if path.exists() else SCRATCH

    def check_answer(self, rid: int, method: str, response: dict[str, Any]) -> None:
        if "error" in response:
            code = response["error"].get("code")
            FIGURES.answers[f"error {code}"] += 1
            assert code in ACCEPTED_ERRORS, (
                f"{method} (request #{rid}) failed: {response['error']}\n{self.server.exit_note()}"
            )
        else:
            assert "result" in response, f"{method}: neither result nor error: {response}"
            FIGURES.answers["result"] += 1

    def collect(self, wait: bool) -> None:
        for rid, (method, sent) in list(self.pending.items()):
            left = REQUEST_TIMEOUT - (time.monotonic() - sent)
            if not wait and rid not in self.server.responses:
                if left <= 0:
                    raise NoAnswer(f"no answer to {method} (#{rid}) within {REQUEST_TIMEOUT} s")
                continue
            response = self.server.wait_response(rid, max(left, 0.01))
            del self.pending[rid]
            self.check_answer(rid, method, response)

    # --- the one rule: a weighted choice of what an editor does next --------------------

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        choices = ["request"] * 7 + ["edit"] * 9 + ["open"] * 2 + ["close", "cancel", "pause"]
        action = data.draw(st.sampled_from(choices), label="action")
        if action == "open" or not self.docs:
            if len(self.docs) < len(DOCS):
                self.open_doc(data)
        elif action == "edit":
            self.edit(data)
        elif action == "close":
            self.close_doc(data)
        elif action == "cancel" and self.sent:
            self.cancel(data)
        elif action == "pause":
            # Around the debounce (150 ms): the next edit lands before, during or after
            # an analysis.
            time.sleep(data.draw(st.sampled_from([0.05, 0.14, 0.17, 0.25, 0.5]), label="pause"))
            FIGURES.pauses += 1
        else:
            self.request(data)
        FIGURES.steps += 1

    # --- document sync ------------------------------------------------------------------

    def open_doc(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from([d for d in DOCS if d not in self.docs]), label="doc")
        text = self.disk_text(rel)
        if data.draw(st.booleans(), label="crlf"):
            text = text.replace("\n", "\r\n")
        version = self.versions.get(rel, 0) + 1
        self.versions[rel] = version
        self.docs[rel] = Doc(text, version)
        self.server.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": self.uri(rel),
                    "languageId": language(rel),
                    "version": version,
                    "text": text,
                }
            },
        )
        self.last_sync = time.monotonic()
        FIGURES.opens += 1

    def close_doc(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from(sorted(self.docs)), label="doc")
        del self.docs[rel]
        self.server.notify("textDocument/didClose", {"textDocument": {"uri": self.uri(rel)}})
        self.last_sync = time.monotonic()
        FIGURES.closes += 1

    def edit(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from(sorted(self.docs)), label="doc")
        doc = self.docs[rel]
        changes = []
        text = doc.text
        for _ in range(data.draw(st.integers(1, 3), label="changes")):
            if data.draw(st.integers(0, 19), label="kind") == 0:
                text = data.draw(TEXT, label="whole") * data.draw(st.integers(0, 3))
                changes.append({"text": text})
                continue
            slots = positions(text)
            splits = [k for k, slot in enumerate(slots) if slot.splits_pair]
            if splits and data.draw(st.integers(0, 4), label="at a pair") == 0:
                i = data.draw(st.sampled_from(splits), label="split start")
            else:
                i = data.draw(st.integers(0, len(slots) - 1), label="start")
            span = data.draw(st.sampled_from([0, 0, 1, 2, 5, 40]), label="span")
            j = min(len(slots) - 1, i + data.draw(st.integers(0, span), label="length"))
            new = data.draw(TEXT, label="text")
            a = (slots[i].line, slots[i].character)
            b = (slots[j].line, slots[j].character)
            FIGURES.surrogate_splits += slots[i].splits_pair or slots[j].splits_pair
            if not SAFE_SYNC and data.draw(st.integers(0, 9), label="past the line end") == 0:
                # LSP: a character past the end of its line means the end of the line.
                spans = line_spans(text)
                extra = data.draw(st.sampled_from([1, 2, 50]), label="extra")
                a = b = (a[0], utf16_length(text[spans[a[0]][0] : spans[a[0]][1]]) + extra)
                FIGURES.past_line_end += 1
            text = apply_change(text, a, b, new)
            changes.append(
                {
                    "range": {
                        "start": {"line": a[0], "character": a[1]},
                        "end": {"line": b[0], "character": b[1]},
                    },
                    "text": new,
                }
            )
        doc.version += 1
        doc.text = text
        self.versions[rel] = doc.version
        self.server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri(rel), "version": doc.version},
                "contentChanges": changes,
            },
        )
        self.last_sync = time.monotonic()
        FIGURES.edits += 1
        FIGURES.changes += len(changes)

    # --- requests -----------------------------------------------------------------------

    def draw_position(self, data: st.DataObject, text: str) -> dict[str, int]:
        slots = positions(text)
        kind = data.draw(st.integers(0, 9), label="where")
        if kind < 6:
            slot = slots[data.draw(st.integers(0, len(slots) - 1), label="slot")]
            return {"line": slot.line, "character": slot.character}
        if kind == 6:  # inside a surrogate pair, when there is one
            splits = [slot for slot in slots if slot.splits_pair] or slots
            slot = data.draw(st.sampled_from(splits), label="split slot")
            return {"line": slot.line, "character": slot.character}
        spans = line_spans(text)
        if kind == 7:  # past the end of a line
            line = data.draw(st.integers(0, len(spans) - 1), label="line")
            start, end = spans[line]
            extra = data.draw(st.sampled_from([1, 2, 1000]), label="extra")
            return {"line": line, "character": utf16_length(text[start:end]) + extra}
        if kind == 8:  # past the end of the document
            line, _ = end_position(text)
            extra = data.draw(st.sampled_from([1, 5, 100_000]), label="extra")
            return {"line": line + extra, "character": data.draw(st.integers(0, 3))}
        return {"line": 2**31 - 1, "character": 2**31 - 1}  # the largest valid uinteger

    def request(self, data: st.DataObject) -> None:
        method = data.draw(st.sampled_from(FEATURES), label="method")
        rel = data.draw(
            st.sampled_from(
                sorted(self.docs) if self.docs and data.draw(st.integers(0, 5)) else DOCS
            ),
            label="doc",
        )
        text = self.docs[rel].text if rel in self.docs else self.disk_text(rel)
        params: dict[str, Any] = {"textDocument": {"uri": self.uri(rel)}}
        if method in POSITIONAL:
            params["position"] = self.draw_position(data, text)
        if method == "textDocument/references":
            params["context"] = {"includeDeclaration": data.draw(st.booleans())}
        if method == "textDocument/codeAction":
            a, b = self.draw_position(data, text), self.draw_position(data, text)
            if (a["line"], a["character"]) > (b["line"], b["character"]):
                a, b = b, a
            params["range"] = {"start": a, "end": b}
            params["context"] = {"diagnostics": []}
        if method == "textDocument/completion":
            params["context"] = {"triggerKind": 1}
        rid = self.server.send_request(method, params)
        self.pending[rid] = (method, time.monotonic())
        self.sent.append(rid)
        FIGURES.requests += 1
        if data.draw(st.integers(0, 7), label="wait") == 0:
            self.collect(wait=True)  # as an editor that waits for its answers now and then

    def cancel(self, data: st.DataObject) -> None:
        # Any recent request, answered or not: which ones are still pending depends on
        # timing, and what the fuzzer draws must not.
        rid = data.draw(st.sampled_from(self.sent[-4:]), label="request")
        self.server.notify("$/cancelRequest", {"id": rid})
        FIGURES.cancels += 1

    @invariant()
    def alive_and_answering(self) -> None:
        assert self.server.alive(), f"the server died: {self.server.exit_note()}"
        assert not self.server.protocol_errors, self.server.protocol_errors
        self.collect(wait=False)

    # --- the final comparison -----------------------------------------------------------

    def teardown(self) -> None:
        error = sys.exc_info()[1]
        # Hypothesis stops a run whose data ran out by raising its own exception.
        failing = error is not None and type(error).__module__.split(".")[0] != "hypothesis"
        try:
            if not failing:
                self.compare_with_fresh_server()
        except BaseException as exc:
            FIGURES.failures += 1
            FIGURES.failure_notes.append(str(exc)[:2000])
            raise
        finally:
            if failing:
                FIGURES.failures += 1
                FIGURES.failure_notes.append(f"{type(error).__name__}: {error}"[:2000])
            self.server.kill()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def compare_with_fresh_server(self) -> None:
        self.collect(wait=True)
        wait_settled(self.server, self.last_sync)
        got = final_diagnostics(self.server)
        open_uris = [self.uri(rel) for rel in sorted(self.docs)]
        got_views = document_views(self.server, open_uris)
        assert self.server.alive(), self.server.exit_note()
        log = (self.tmp / "server.log").read_text("utf-8", "replace")
        assert "Traceback" not in log, f"the server logged an exception:\n{log[-4000:]}"

        fresh = LspProcess(self.root, stderr_path=self.tmp / "fresh.log")
        try:
            fresh.initialize(REQUEST_TIMEOUT)
            for rel, doc in sorted(self.docs.items()):
                fresh.notify(
                    "textDocument/didOpen",
                    {
                        "textDocument": {
                            "uri": self.uri(rel),
                            "languageId": language(rel),
                            "version": 1,
                            "text": doc.text,
                        }
                    },
                )
            opened = time.monotonic()
            wait_settled(fresh, opened)
            want = final_diagnostics(fresh)
            want_views = document_views(fresh, open_uris)
        finally:
            fresh.close()
        FIGURES.compared_diagnostics += 1
        FIGURES.nonempty_final += bool(want)
        texts = {rel: doc.text for rel, doc in sorted(self.docs.items())}
        assert got == want, diff_message(got, want, texts)
        for key in want_views:
            assert got_views[key] == want_views[key], (
                f"{key} differs from a fresh server's on the same text:\n"
                f"fuzzed: {got_views[key]}\nfresh:  {want_views[key]}\ntexts: {texts!r}"
            )


def diff_message(
    got: dict[str, set[tuple[Any, ...]]], want: dict[str, set[tuple[Any, ...]]], texts: Any
) -> str:
    lines = ["final diagnostics differ from a fresh server's on the same texts:"]
    for doc_uri in sorted(set(got) | set(want)):
        extra = sorted(got.get(doc_uri, set()) - want.get(doc_uri, set()), key=repr)
        missing = sorted(want.get(doc_uri, set()) - got.get(doc_uri, set()), key=repr)
        for item in extra:
            lines.append(f"  only fuzzed  {doc_uri.rsplit('/', 1)[-1]}: {item}")
        for item in missing:
            lines.append(f"  only fresh   {doc_uri.rsplit('/', 1)[-1]}: {item}")
    lines.append(f"open texts: {texts!r}")
    return "\n".join(lines)


def test_fuzz_server(capsys: pytest.CaptureFixture[str]) -> None:
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else [])
    profile = settings(
        max_examples=SEQUENCES,
        stateful_step_count=STEPS,
        deadline=None,
        derandomize=not LONG,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    try:
        run_state_machine_as_test(ServerFuzz, settings=profile)
    finally:
        with capsys.disabled():
            print("\n" + FIGURES.report())
            for note in FIGURES.failure_notes[:3]:
                print("  failure:", note.splitlines()[0] if note else "")
