"""`.specls/history/`: generated outputs kept by their lock hash, for diffs of hand edits."""

from __future__ import annotations

from pathlib import Path

from specls import code, history
from specls.outputs import whole_file_hash

TEXT = 'def greet(name: str) -> str:\n    return "héllo " + name\n\n\nX = 1\n'


def test_a_whole_file_and_a_symbol_are_found_by_their_lock_hash(tmp_path: Path) -> None:
    file_hash = whole_file_hash(TEXT.encode())
    symbol_hash = code.symbol_hash(TEXT, "python", "greet")
    assert symbol_hash is not None
    contents = history.generated_contents(
        [("a.py", None, file_hash), ("a.py", "greet", symbol_hash)], {"a.py": TEXT}
    )
    history.record(tmp_path, contents)
    history.record(tmp_path, contents)  # again: already stored, nothing fails
    assert history.lookup(tmp_path, file_hash) == TEXT
    symbol = history.lookup(tmp_path, symbol_hash)
    assert symbol is not None and symbol.startswith("def greet") and "X = 1" not in symbol
    assert history.lookup(tmp_path, "sha256:" + "0" * 64) is None
    assert history.lookup(tmp_path, "../../etc/passwd") is None


def test_a_planted_or_mislabelled_content_is_never_used(tmp_path: Path) -> None:
    digest = whole_file_hash(TEXT.encode())
    history.record(tmp_path, {digest: "not this content\n"})  # mislabelled: not stored
    stored = tmp_path / ".specls" / "history" / digest.removeprefix("sha256:")
    assert not stored.exists()
    stored.parent.mkdir(parents=True)
    stored.write_text("planted\n")
    assert history.lookup(tmp_path, digest) is None


def test_a_symlinked_specls_is_neither_written_through_nor_read(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / ".specls").symlink_to(elsewhere)
    digest = whole_file_hash(TEXT.encode())
    history.record(root, {digest: TEXT})  # refused, logged, never raised
    assert list(elsewhere.iterdir()) == []
    (elsewhere / "history").mkdir()
    (elsewhere / "history" / digest.removeprefix("sha256:")).write_text(TEXT)
    assert history.lookup(root, digest) is None
