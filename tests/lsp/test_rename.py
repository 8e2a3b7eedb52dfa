"""Rename a section ID through the protocol: prepare, one WorkspaceEdit over the
specs and `spec.lock`, applied to disk, and the workspace still checks clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lsp_helpers import change_doc, document_edits, open_doc, uri, wait_for
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient
from specls.text import LineIndex, Position


def rng(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


def where(path: Path, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, UTF-16 column) of the `nth` occurrence of `needle` in a file (no line numbers
    of examples/shop in the tests: they follow the text)."""
    text = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    pos = LineIndex(text).position(index)
    return pos.line, pos.character


def apply_to_disk(
    client: LanguageClient, edit: types.WorkspaceEdit
) -> dict[str, list[tuple[types.Range, str]]]:
    """Apply the edits to the files (UTF-16 positions); the edits by file."""
    applied: dict[str, list[tuple[types.Range, str]]] = {}
    for doc_uri, _, edits in document_edits(client, edit):
        path = Path(to_fs_path(doc_uri) or "")
        text = path.read_text(encoding="utf-8")
        index = LineIndex(text)
        spans = []
        for e in edits:
            start = index.offset(Position(e.range.start.line, e.range.start.character))
            end = index.offset(Position(e.range.end.line, e.range.end.character))
            spans.append((start, end, e.new_text))
        for start, end, new in sorted(spans, reverse=True):
            text = text[:start] + new + text[end:]
        path.write_bytes(text.encode("utf-8"))
        applied[path.name] = [(e.range, e.new_text) for e in edits]
    return applied


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specls", "check", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )


async def prepare(
    client: LanguageClient, doc_uri: str, line: int, character: int
) -> types.PrepareRenameResult | None:
    return await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
        )
    )


async def rename(
    client: LanguageClient, doc_uri: str, line: int, character: int, new_name: str
) -> types.WorkspaceEdit | None:
    return await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
            new_name=new_name,
        )
    )


async def test_prepare_rename(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    users, auth = root / "specs" / "users.spec.md", root / "specs" / "auth.spec.md"
    users_uri = open_doc(client, users)
    auth_uri = open_doc(client, auth)
    line, col = where(users, "{#user-model}")
    # On the `{#id}` and on the heading text: the ID inside the braces.
    for character in (col + 4, 4):
        assert await prepare(client, users_uri, line, character) == types.PrepareRenamePlaceholder(
            range=rng(line, col + 2, col + 12), placeholder="user-model"
        )
    # On a link to the section, in another spec: the `#id` of the link.
    link, at = where(auth, "user-model", 1)
    assert await prepare(client, auth_uri, link, at + 4) == types.PrepareRenamePlaceholder(
        range=rng(link, at, at + 10), placeholder="user-model"
    )
    # Prose is not renameable.
    assert await prepare(client, users_uri, *where(users, "A user has")) is None


async def test_rename_across_specs_and_lock(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    users = root / "specs" / "users.spec.md"
    users_uri = open_doc(client, users)
    await wait_for(lambda: bool(client.status_notes), message="specls/status")  # type: ignore[attr-defined]
    assert check(root).returncode == 0
    lock_before = (root / "spec.lock").read_text(encoding="utf-8")

    line, col = where(users, "{#user-model}")
    edit = await rename(client, users_uri, line, col + 4, "account")
    assert edit is not None
    uris = sorted(u for u, _, _ in document_edits(client, edit))
    assert uris == [uri(root / "spec.lock"), uri(root / "specs/auth.spec.md"), users_uri]
    auth = root / "specs" / "auth.spec.md"
    links = [where(auth, "user-model", n) for n in (0, 1)]
    applied = apply_to_disk(client, edit)
    assert applied["auth.spec.md"] == [(rng(ln, at, at + 10), "account") for ln, at in links]
    assert applied["users.spec.md"] == [(rng(line, col + 2, col + 12), "account")]
    key = lock_before.splitlines().index('    "specs/users.spec.md#user-model": {')
    assert (rng(key, 4, 36), '"specs/users.spec.md#account"') in applied["spec.lock"]

    lock_after = (root / "spec.lock").read_text(encoding="utf-8")
    assert '"specs/users.spec.md#account": {' in lock_after
    assert "user-model" not in lock_after
    assert "## User model {#account}" in users.read_text(encoding="utf-8")
    # A rename is not a content change: the lock follows, everything stays fresh.
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_rename_slug_section_inserts_an_explicit_id(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    cart = root / "specs" / "cart.spec.md"
    text = cart.read_text(encoding="utf-8")
    cart_uri = open_doc(client, cart)
    # "# Cart 🛒": the slug is `cart-`; the heading text ends after the emoji (UTF-16 col 9).
    top, col = where(cart, "Cart 🛒")
    assert await prepare(client, cart_uri, top, col + 1) == types.PrepareRenamePlaceholder(
        range=rng(top, 2, 9), placeholder="cart-"
    )
    # A link to it from a section with CJK before the link, in the same document; the
    # same text in a code span is not a link and stays as it is.
    edited = text + "\n## 価格 {#prices}\n見る [the cart](#cart-) `[not](#cart-)`\n"
    change_doc(client, cart_uri, edited, 2)
    n = len(text.splitlines())
    edit = await rename(client, cart_uri, top, col + 1, "shop-cart")
    assert edit is not None
    ((_, version, edits),) = document_edits(client, edit)
    if edit.document_changes:
        assert version == 2  # versioned: a client rejects it if the buffer moved on
    assert [(e.range, e.new_text) for e in edits] == [
        (rng(top, 9, 9), " {#shop-cart}"),
        (rng(n + 2, 15, 20), "shop-cart"),
    ]


async def test_rename_rejects_invalid_ids(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    users = root / "specs" / "users.spec.md"
    users_uri = open_doc(client, users)
    with pytest.raises(Exception, match="not a valid section ID"):
        await rename(client, users_uri, *where(users, "user-model}"), "user model")
    auth_uri = open_doc(client, root / "specs" / "auth.spec.md")
    with pytest.raises(Exception, match="already has a section #app"):
        await rename(client, auth_uri, *where(root / "specs" / "auth.spec.md", "login}"), "app")


async def test_rename_a_requirement_id_everywhere(client: LanguageClient) -> None:
    """FR-003 is defined in requirements.spec.md and traced from cart (a unit) and SC-001."""
    root: Path = client.root  # type: ignore[attr-defined]
    reqs = root / "specs" / "requirements.spec.md"
    reqs_uri = open_doc(client, reqs)
    await wait_for(lambda: bool(client.status_notes), message="specls/status")  # type: ignore[attr-defined]
    line = next(i for i, t in enumerate(reqs.read_text("utf-8").splitlines()) if "**FR-003**" in t)
    assert await prepare(client, reqs_uri, line, 6) == types.PrepareRenamePlaceholder(
        range=rng(line, 4, 10), placeholder="FR-003"
    )
    with pytest.raises(Exception, match="not a valid ID"):
        await rename(client, reqs_uri, line, 6, "cart total")
    with pytest.raises(Exception, match="already defined"):
        await rename(client, reqs_uri, line, 6, "FR-001")
    lines = reqs.read_text("utf-8").splitlines()
    sc = next(i for i, t in enumerate(lines) if "**SC-001**" in t)
    col = lines[sc].index("FR-003")
    edit = await rename(client, reqs_uri, line, 6, "FR-030")
    assert edit is not None
    applied = apply_to_disk(client, edit)
    assert applied["requirements.spec.md"] == [
        (rng(line, 4, 10), "FR-030"),
        (rng(sc, col, col + 6), "FR-030"),
    ]
    assert [new for _, new in applied["cart.spec.md"]] == ["FR-030"]
    assert "spec.lock" in applied  # the cart unit's hashes follow the rename
    assert "(covers: FR-030, SC-001)" in (root / "specs" / "cart.spec.md").read_text("utf-8")
    # A rename is not a content change: everything is still fresh.
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr
