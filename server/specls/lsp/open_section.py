"""Commands that show something in the editor: a spec section, a hand edit's diff.

`specls.openSection` backs the code lens on generated files ("generated from
… — edit the spec") and the "Move this change into the spec" action: the
server asks the client to show the section with `window/showDocument`, so
any client that can execute a command gets it without client-side code.

`specls.showDiff` writes the unified diff between what the section would
generate now (the built-in tangle) and the output as it is to
`.specls/diff/<unit>.diff` (beside `.specls/backup`, never a spec or an
output) and shows that file. A file rather than an `untitled:` buffer:
every client can open a file, Neovim has no `untitled:` scheme, and the
diff stays readable after the request. Both return what they showed, for
clients that cannot show documents.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from specls.ide.diff import output_diff
from specls.lsp.commands import CommandError, command_arg
from specls.lsp.convert import path_to_uri, to_range
from specls.lsp.snapshot import Snapshot
from specls.status import UnitStatus
from specls.text import ZERO_RANGE, Range

if TYPE_CHECKING:
    from specls.lsp.server import SpeclsServer

log = logging.getLogger(__name__)

OPEN_SECTION = "specls.openSection"
SHOW_DIFF = "specls.showDiff"
DIFF_DIR = ".specls/diff"


def write_diff(snap: Snapshot, us: UnitStatus, key: str) -> tuple[str, str]:
    """Write the diff under `.specls/diff/`; (its URI, the diff)."""
    path, diff = output_diff(snap.ide, us, key)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{us.ref}--{key}").strip("_") + ".diff"
    target = snap.root / DIFF_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(diff or f"# {path}: no difference from what {us.ref} generates\n", "utf-8")
    return path_to_uri(target), diff


async def _show(ls: SpeclsServer, uri: str, rng: Range) -> bool:
    window = ls.client_capabilities.window
    if not (window and window.show_document and window.show_document.support):
        return False
    try:
        result = await ls.window_show_document_async(
            types.ShowDocumentParams(uri=uri, take_focus=True, selection=to_range(rng))
        )
    except Exception as exc:  # the client refused or hung up: the result still says where
        log.info("window/showDocument failed: %s", exc)
        return False
    return bool(result and result.success)


async def open_section(ls: SpeclsServer, arg: dict[str, Any]) -> dict[str, Any]:
    ref = arg.get("section") or arg.get("unit")
    if not isinstance(ref, str):
        raise CommandError('specls.openSection needs {"section": "doc.spec.md#id"}')
    for state in list(ls.session.roots.values()):
        found = state.snapshot.workspace.section(ref)
        if found is not None:
            doc, section = found
            uri = state.snapshot.uri(doc.path)
            shown = await _show(ls, uri, section.heading_range)
            return {"uri": uri, "range": to_range(section.heading_range), "shown": shown}
    raise CommandError(f"no section {ref} in the workspace")


async def show_diff(ls: SpeclsServer, arg: dict[str, Any]) -> dict[str, Any]:
    ref, key = arg.get("unit"), arg.get("output")
    if not isinstance(ref, str) or not isinstance(key, str):
        raise CommandError('specls.showDiff needs {"unit": …, "output": …}')
    for state in list(ls.session.roots.values()):
        snap = await ls.session.settle(state)
        us = snap.analysis.units.get(ref)
        if us is None:
            continue
        try:
            uri, diff = await asyncio.to_thread(write_diff, snap, us, key)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        shown = await _show(ls, uri, ZERO_RANGE)
        return {"uri": uri, "diff": diff, "shown": shown}
    raise CommandError(f"{ref} is not a generation unit")


def register(server: LanguageServer) -> None:
    def wrap(fn: Any) -> Any:
        async def handler(ls: Any, *args: Any) -> Any:  # pygls resolves these hints
            try:
                return await fn(ls, command_arg(args, "section"))
            except CommandError as exc:
                ls.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Error, message=str(exc))
                )
                raise JsonRpcInvalidParams(str(exc)) from exc

        return handler

    server.command(OPEN_SECTION)(wrap(open_section))
    server.command(SHOW_DIFF)(wrap(show_diff))
