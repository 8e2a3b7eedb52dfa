"""Code actions through the protocol: regenerate quick fix, source actions, a hand
edit's diff and its move into the spec, creating a missing section."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Union

from lsp_helpers import (
    change_doc,
    codes,
    document_edits,
    open_doc,
    uri,
    wait_diagnostics,
    wait_for,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

CART_LINE = "        return sum(CATALOG[sku].price_cents * n for sku, n in self.items.items())"


def _parse_code_actions_like_editors(client: LanguageClient) -> None:
    """lsprotocol takes any result item with a `command` key for a `Command`, so a
    `CodeAction` that runs a command loses its kind, diagnostics and edit. Editors
    test `typeof command === "string"` (vscode-languageclient's `Command.is`)."""
    converter = client.protocol._converter

    def hook(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007


async def code_actions(
    client: LanguageClient,
    doc_uri: str,
    rng: types.Range,
    diagnostics: Sequence[types.Diagnostic] = (),
    only: list[str] | None = None,
) -> list[types.CodeAction]:
    _parse_code_actions_like_editors(client)
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    assert result is not None
    assert all(isinstance(a, types.CodeAction) for a in result)
    return [a for a in result if isinstance(a, types.CodeAction)]


def at(line: int, character: int = 0) -> types.Range:
    pos = types.Position(line=line, character=character)
    return types.Range(start=pos, end=pos)


def command(action: types.CodeAction) -> tuple[str, list]:
    assert action.command is not None
    return action.command.command, list(action.command.arguments or [])


async def test_quick_fix_regenerates_a_stale_section(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    out = root / "src" / "shop" / "cart.py"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    edited = text.replace(
        CART_LINE,
        CART_LINE + "\n\n    def is_empty(self) -> bool:  # 🛒\n        return not self.items",
    )
    change_doc(client, doc_uri, edited, 2)
    diags = await wait_diagnostics(client, doc_uri, lambda ds: "SPEC201" in codes(ds))
    stale = next(d for d in diags if d.code == "SPEC201")

    actions = await code_actions(client, doc_uri, stale.range, [stale])
    fix = actions[0]
    assert fix.title == "Regenerate section 'Cart model'"
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred is True
    assert list(fix.diagnostics or []) == [stale]
    assert command(fix) == ("specls.regenerate", [{"unit": "specs/cart.spec.md#cart"}])
    assert fix.data == {"spec": "specs/cart.spec.md", "section": "cart", "version": 2}
    by_title = {a.title: a for a in actions}
    stamp = by_title["Stamp section 'Cart model' as fresh"]
    assert command(stamp) == ("specls.stamp", [{"unit": "specs/cart.spec.md#cart"}])
    assert stamp.kind == types.CodeActionKind.QuickFix
    every = by_title["Regenerate all stale sections in this file"]
    assert every.kind == types.CodeActionKind.Source
    assert command(every) == ("specls.regenerateStale", [{"uri": doc_uri}])
    assert len(by_title) == len(actions)  # no source duplicate of the quick fix

    # Executing the fix's command regenerates: the file on disk changes, the warning clears.
    name, args = command(fix)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=args)
    )
    assert result["regenerated"] == ["specs/cart.spec.md#cart"]
    assert "    def is_empty(self) -> bool:  # 🛒\n" in out.read_text(encoding="utf-8")
    await wait_diagnostics(client, doc_uri, lambda ds: "SPEC201" not in codes(ds))


async def test_source_actions_anywhere_in_the_section(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    lines = text.splitlines()
    prose = lines.index("the cent (covers: FR-003, SC-001).")
    assert [a.title for a in await code_actions(client, doc_uri, at(prose, 3))] == []

    edited = text.replace("exact to\nthe cent", "exact to\nthe cent, always 🛒")
    change_doc(client, doc_uri, edited, 2)
    await wait_diagnostics(client, doc_uri, lambda ds: "SPEC201" in codes(ds))
    actions = await code_actions(client, doc_uri, at(prose, 3), only=["source"])
    assert [(a.title, a.kind, command(a)) for a in actions] == [
        (
            "Regenerate section 'Cart model'",
            types.CodeActionKind.Source,
            ("specls.regenerate", [{"unit": "specs/cart.spec.md#cart"}]),
        ),
        (
            "Stamp section 'Cart model' as fresh",
            types.CodeActionKind.Source,
            ("specls.stamp", [{"unit": "specs/cart.spec.md#cart"}]),
        ),
        (
            "Regenerate all stale sections in this file",
            types.CodeActionKind.Source,
            ("specls.regenerateStale", [{"uri": doc_uri}]),
        ),
    ]
    # Only quick fixes requested: none without a diagnostic.
    assert await code_actions(client, doc_uri, at(prose, 3), only=["quickfix"]) == []


async def test_create_a_missing_section(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "auth.spec.md"
    users = root / "specs" / "users.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    edited = text.replace(
        "[@use](users.spec.md#user-model)\n\nWHEN",
        "[@use](users.spec.md#user-model)\nRôles 👤 [@use](users.spec.md#user-roles)\n\nWHEN",
    )
    change_doc(client, doc_uri, edited, 2)
    diags = await wait_diagnostics(client, doc_uri, lambda ds: "SPEC102" in codes(ds))
    broken = next(d for d in diags if d.code == "SPEC102")
    line = edited.splitlines().index("Rôles 👤 [@use](users.spec.md#user-roles)")
    assert broken.range == types.Range(
        start=types.Position(line=line, character=16),
        end=types.Position(line=line, character=40),
    )

    actions = await code_actions(client, doc_uri, broken.range, [broken])
    create = next(a for a in actions if a.title.startswith("Create section"))
    assert create.title == "Create section #user-roles in users.spec.md"
    assert create.kind == types.CodeActionKind.QuickFix
    assert create.data == {"spec": "specs/users.spec.md", "section": "user-roles", "version": None}
    users_text = users.read_text(encoding="utf-8")
    end = len(users_text.splitlines())
    assert create.edit is not None
    ((edit_uri, version, edits),) = document_edits(client, create.edit)
    assert edit_uri == uri(users) and version is None
    assert edits == [types.TextEdit(range=at(end), new_text="\n## User roles {#user-roles}\n")]


async def test_hand_edit_diff_and_move_into_the_spec(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    out = root / "src" / "shop" / "users.py"
    spec = root / "specs" / "users.spec.md"
    out_uri = open_doc(client, out)
    patched = out.read_text(encoding="utf-8") + "\n\ndef greet() -> str:\n    return 'salut 👋'\n"
    change_doc(client, out_uri, patched, 2)
    diags = await wait_diagnostics(client, out_uri, lambda ds: "SPEC202" in codes(ds))
    edited = next(d for d in diags if d.code == "SPEC202")

    actions = await code_actions(client, out_uri, edited.range, [edited])
    titles = [a.title for a in actions]
    assert titles == [
        "Show diff against last generation",
        "Move this change into the spec",
        "Regenerate section 'User model', discarding the hand edit",
        "Stamp section 'User model' as fresh",
    ]
    ref = "specs/users.spec.md#user-model"
    key = "src/shop/users.py"
    show, move, force, _ = actions
    assert command(show) == ("specls.showDiff", [{"unit": ref, "output": key}])
    assert command(force) == ("specls.regenerate", [{"unit": ref, "force": True}])
    assert move.data == {
        "spec": "specs/users.spec.md",
        "section": "user-model",
        "version": None,
        "output": key,
    }

    # Show the diff: written under .specls/diff and shown with window/showDocument.
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="specls.showDiff", arguments=[{"unit": ref, "output": key}]
        )
    )
    diff = f"--- a/{key} (generated from {ref})\n+++ b/{key} (as it is now)\n"
    assert result["diff"].startswith(diff)
    assert result["diff"].endswith(
        "     return hmac.compare_digest(user.password_hash, hash_password(password, user.salt))\n"
        "+\n+\n+def greet() -> str:\n+    return 'salut 👋'\n"
    )
    diff_file = root / ".specls" / "diff" / "specs_users.spec.md_user-model--src_shop_users.py.diff"
    assert result["uri"] == uri(diff_file)
    assert diff_file.read_text(encoding="utf-8") == result["diff"]
    await wait_for(lambda: bool(client.shown_documents), message="window/showDocument")
    assert client.shown_documents[-1].uri == uri(diff_file)

    # Move the change into the spec: a quoted diff at the end of the section, then show it.
    spec_lines = spec.read_text(encoding="utf-8").splitlines()
    last = len(spec_lines) - 1
    assert move.edit is not None
    ((edit_uri, _, (text_edit,)),) = document_edits(client, move.edit)
    assert edit_uri == uri(spec)
    assert text_edit.range == at(last, len(spec_lines[last]))
    quoted = ["> " + line for line in result["diff"].splitlines()]
    assert text_edit.new_text == "\n\n" + "\n".join(
        [
            "> **Hand edit to move into this section**: `src/shop/users.py` was changed by hand"
            " after it",
            "> was generated. Fold the change into the text or the code above, then regenerate.",
            ">",
            "> ```diff",
            *quoted,
            "> ```",
        ]
    )
    assert command(move) == ("specls.openSection", [{"section": ref}])
