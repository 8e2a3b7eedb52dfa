"""What each output was when it was last generated, kept by its lock hash.

"Show diff" and "Move this change into the spec" compare a hand-edited
output with what its section last generated. Tangle can recompute that, an
agent cannot (it answers differently each time), so the write path records
each generated output under `.specls/history/<sha256>`, named by the hash
the lock stores for it: the whole file for a file output, the symbol's text
for a symbol output. Content-addressed, so a lock entry finds its content
and regenerating the same content writes nothing new.

Files are created with `create_private_file` (never through a symlink a
cloned repository planted under `.specls/`), and a stored file is used only
when its content hashes to its name, so a planted file is never shown as
what was generated.
"""

from __future__ import annotations

import errno
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from specls import code
from specls.fsutil import create_private_file, read_regular
from specls.outputs import whole_file_hash
from specls.text import normalize_text, sha256_text

log = logging.getLogger(__name__)

HISTORY_DIR = ".specls/history"
_DIGEST = re.compile(r"sha256:([0-9a-f]{64})")


def _name(digest: str) -> str | None:
    m = _DIGEST.fullmatch(digest)
    return m.group(1) if m else None


def generated_contents(
    outputs: Iterable[tuple[str, str | None, str]], text_of: Mapping[str, str]
) -> dict[str, str]:
    """{lock hash: content} for each (path, symbol, hash) whose file text is in `text_of`."""
    out: dict[str, str] = {}
    for path, symbol, digest in outputs:
        text = text_of.get(path)
        if text is None or _name(digest) is None:
            continue
        if symbol is None:
            out[digest] = text
            continue
        found = code.find_symbol(text, code.language_for_path(path) or "", symbol)
        if found is not None:
            out[digest] = code.symbol_text(text, found)
    return out


def record(root: Path, contents: Mapping[str, str]) -> None:
    """Store each content under its hash; one already stored is left as it is.

    Never fails the write it belongs to: history only improves a later diff.
    """
    for digest, text in contents.items():
        name = _name(digest)
        if name is None or not _matches(digest, text.encode("utf-8")):
            continue  # not the hash of this content: storing it would mislead a diff
        try:
            create_private_file(root, f"{HISTORY_DIR}/{name}", text.encode("utf-8"))
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                log.warning("%s/%s not recorded: %s", HISTORY_DIR, name, exc)


def lookup(root: Path, digest: str) -> str | None:
    """The content recorded for `digest`, or None (never recorded, or not what it claims)."""
    name = _name(digest)
    if name is None:
        return None
    path = root / HISTORY_DIR / name
    if any(p.is_symlink() for p in (root / ".specls", root / HISTORY_DIR, path)):
        return None
    try:
        data = read_regular(path)
    except OSError:
        return None
    if not _matches(digest, data):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _matches(digest: str, data: bytes) -> bool:
    """Whether `data` is a whole file or a symbol text whose lock hash is `digest`."""
    if whole_file_hash(data) == digest:
        return True
    try:
        return sha256_text(normalize_text(data.decode("utf-8"))) == digest
    except UnicodeDecodeError:
        return False
