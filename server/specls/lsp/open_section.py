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

from specls.fsutil import create_private_file
from specls.ide.diff import output_diff
from specls.lsp.convert import path_to_uri, to_range
from specls.lsp.guard import UserError
from specls.lsp.snapshot import Snapshot
from specls.status import UnitStatus
from specls.text import ZERO_RANGE, Range

if TYPE_CHECKING:
    from specls.lsp.server import Server

log = logging.getLogger(__name__)

OPEN_SECTION = "specls.openSection"
SHOW_DIFF = "specls.showDiff"
DIFF_DIR = ".specls/diff"


def write_diff(snap: Snapshot, us: UnitStatus, key: str) -> tuple[str, str]:
    """Write the diff under `.specls/diff/`; (its URI, the diff)."""
    path, diff = output_diff(snap.ide, us, key)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{us.ref}--{key}").strip("_") + ".diff"
    text = diff or f"# {path}: no difference from what {us.ref} generates\n"
    # never through a symlink planted in .specls/ (a cloned repository could aim it at any
    # file the user can write): create_private_file refuses one, anywhere on the path
    target = create_private_file(snap.root, f"{DIFF_DIR}/{name}", text.encode(), replace=True)
    return path_to_uri(target), diff


async def _show(server: Server, uri: str, rng: Range) -> bool:
    window = server.session.capabilities.window
    if not (window and window.show_document and window.show_document.support):
        return False
    try:
        return await server.client.show_document(
            types.ShowDocumentParams(uri=uri, take_focus=True, selection=to_range(rng))
        )
    except Exception as exc:  # the client refused or hung up: the result still says where
        log.info("window/showDocument failed: %s", exc)
        return False


async def open_section(server: Server, arg: dict[str, Any]) -> dict[str, Any]:
    ref = arg.get("section") or arg.get("unit")
    if not isinstance(ref, str):
        raise UserError('specls.openSection needs {"section": "doc.spec.md#id"}')
    for state in list(server.session.roots.values()):
        found = state.snapshot.workspace.section(ref)
        if found is not None:
            doc, section = found
            uri = state.snapshot.uri(doc.path)
            shown = await _show(server, uri, section.heading_range)
            return {"uri": uri, "range": to_range(section.heading_range), "shown": shown}
    raise UserError(f"no section {ref} in the workspace")


async def show_diff(server: Server, arg: dict[str, Any]) -> dict[str, Any]:
    ref, key = arg.get("unit"), arg.get("output")
    if not isinstance(ref, str) or not isinstance(key, str):
        raise UserError('specls.showDiff needs {"unit": …, "output": …}')
    for state in list(server.session.roots.values()):
        snap = await server.session.settle(state)
        us = snap.analysis.units.get(ref)
        if us is None:
            continue
        try:
            uri, diff = await asyncio.to_thread(write_diff, snap, us, key)
        except (ValueError, OSError) as exc:
            raise UserError(str(exc)) from exc
        shown = await _show(server, uri, ZERO_RANGE)
        return {"uri": uri, "diff": diff, "shown": shown}
    raise UserError(f"{ref} is not a generation unit")
