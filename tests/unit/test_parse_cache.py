"""The persistent parse cache (`.specls/cache/`): a warm load gives exactly the cold
load's documents without parsing, and nothing in the cache directory can crash a
load, change its result, or make specls write outside the root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import specls.workspace as workspace_module
from specls import parse_cache
from specls.dialect import SpecDocument
from specls.workspace import Workspace

from tests.helpers import copy_example, run_specls, write_tree

SPECS = {
    "specls.toml": 'include = ["**/*.spec.md", "specs/*/spec.md", ".kiro/specs/*/*.md"]\n',
    "cart.spec.md": """
        ---
        generator: tangle
        owner: "Zoë 🛒"
        ---
        # Cart 🛒 {#cart}
        Prose with `code`, a [link](https://example.com) and ünïcödé 日本.

        ## Add an item {#add}
        [@generate](src/cart.py) [@use](other.spec.md#totals) [@bogus](#x)

        - **FR-001**: The cart MUST add 😀 items. [NEEDS CLARIFICATION: how many?]

        ```python file=src/cart.py
        def add(x: int) -> int:
            return x
        ```

        ## Add an item {#add}
        Duplicate ID, and an escaped \\[@use](#cart) and `[@use](#cart)`.
        """,
    "other.spec.md": "# Other\n## Totals {#totals}\nSee [the cart](cart.spec.md#add).\n",
    "broken.spec.md": "---\nkey: [unclosed\n---\n# Broken\n",
    "dated.spec.md": "---\ndate: 2026-11-30\n---\n# Dated\n",  # a date: not cacheable
    "specs/001-x/spec.md": "# Feature\n- **FR-001**: The system MUST work.\n",
    ".kiro/specs/a/requirements.md": "# R\n### Requirement 1\n1. WHEN x THE SYSTEM SHALL y\n",
}


@pytest.fixture(autouse=True)
def own_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test has its own per-user secret (and the cache on)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv(parse_cache.DISABLE_ENV, raising=False)
    parse_cache.secret.cache_clear()
    yield
    parse_cache.secret.cache_clear()


def entries(root: Path) -> list[Path]:
    return sorted((root / ".specls/cache/parse-v1").glob("*.entry"))


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(workspace_module, "parse_document", refuse)


def test_a_warm_load_equals_a_cold_one_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "ws", SPECS)
    cold = Workspace.load(root)
    assert len(entries(root)) == len(SPECS) - 2  # every spec but the dated one
    assert (root / ".specls/cache/.gitignore").read_text().splitlines()[-1] == "*"
    with monkeypatch.context() as m:
        m.setattr(workspace_module, "parse_document", _only(root, "dated.spec.md"))
        warm = Workspace.load(root)
    assert warm.docs == cold.docs and list(warm.docs) == list(cold.docs)
    assert warm.unreadable == cold.unreadable
    cart = warm.docs["cart.spec.md"]
    assert cart.front_matter == {"generator": "tangle", "owner": "Zoë 🛒"}
    assert [p.code.value for p in cart.problems] and warm.docs["broken.spec.md"].problems


def _only(root: Path, allowed: str) -> object:
    real = workspace_module.parse_document

    def parse(rel: str, *args: object, **kwargs: object) -> object:
        assert rel == allowed, f"parsed {rel} although cached"
        return real(rel, *args, **kwargs)  # type: ignore[arg-type]

    return parse


def test_an_edited_spec_is_parsed_again(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SPECS)
    Workspace.load(root)
    (root / "other.spec.md").write_text("# Other\n## Sums {#sums}\n", encoding="utf-8")
    warm = Workspace.load(root)
    assert [s.id for s in warm.docs["other.spec.md"].sections] == ["", "other", "sums"]


def test_a_layout_change_in_the_config_is_a_miss(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SPECS)
    before = Workspace.load(root).docs["specs/001-x/spec.md"]
    config = SPECS["specls.toml"] + '[layouts]\nspecls = ["specs/*/spec.md", "**/*.spec.md"]\n'
    (root / "specls.toml").write_text(config)
    after = Workspace.load(root).docs["specs/001-x/spec.md"]
    assert (before.layout, after.layout) == ("speckit", "specls")
    assert after == Workspace.load(root).docs["specs/001-x/spec.md"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated by a crash
        lambda data: b"",
        lambda data: os.urandom(len(data)),
        lambda data: data[:40] + bytes([data[40] ^ 1]) + data[41:],  # one bit flipped
    ],
)
def test_a_damaged_entry_is_a_miss_and_is_rewritten(tmp_path: Path, damage: object) -> None:
    root = write_tree(tmp_path / "ws", SPECS)
    cold = Workspace.load(root)
    for entry in entries(root):
        entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    assert Workspace.load(root).docs == cold.docs
    key = parse_cache.secret()
    assert key is not None
    for entry in entries(root):  # rewritten whole
        assert parse_cache.decode_entry(key, entry.name[:-6], entry.read_bytes()) is not None


def test_a_committed_cache_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repository ships `.specls/cache` made by another user, with forged documents
    (the broken spec made clean): this user's load ignores every entry."""
    root = write_tree(tmp_path / "ws", SPECS)
    cold = Workspace.load(root)
    key = parse_cache.secret()
    assert key is not None
    for name, forged in forgeries(root, cold, key):  # the attacker knows the names, not the key
        entry = root / ".specls/cache/parse-v1" / f"{name}.entry"
        entry.write_bytes(parse_cache.encode_entry(b"x" * 32, name, forged))
    assert Workspace.load(root).docs == cold.docs
    # and under another user's secret, nothing matches at all: every spec is parsed
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    parse_cache.secret.cache_clear()
    calls: list[str] = []
    real = workspace_module.parse_document
    monkeypatch.setattr(
        workspace_module, "parse_document", lambda rel, *a: calls.append(rel) or real(rel, *a)
    )
    assert Workspace.load(root).docs == cold.docs
    assert sorted(calls) == sorted(cold.docs)


def forgeries(root: Path, ws: Workspace, key: bytes) -> list[tuple[str, SpecDocument]]:
    """Each spec's entry name, with a forged document for it: no problems, no sections
    but the preamble."""
    return [
        (
            parse_cache.entry_key(key, rel, doc.layout, (root / rel).read_bytes()),
            replace(doc, problems=(), sections=doc.sections[:1]),
        )
        for rel, doc in ws.docs.items()
        if rel != "dated.spec.md"  # not cached
    ]


def test_the_secret_is_private(tmp_path: Path) -> None:
    write_tree(tmp_path / "ws", SPECS)
    Workspace.load(tmp_path / "ws")
    secret = tmp_path / "user-cache/specls/cache-secret"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_bytes()) == 32


def test_a_symlinked_cache_directory_is_neither_read_nor_written(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SPECS)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".specls").mkdir()
    os.symlink(outside, root / ".specls/cache")
    cold = Workspace.load(root)
    assert list(outside.iterdir()) == []
    # planted entries behind the symlink, even authentic ones, are not read
    (outside / "parse-v1").mkdir()
    os.unlink(root / ".specls/cache")
    Workspace.load(root)
    for entry in entries(root):
        os.rename(entry, outside / "parse-v1" / entry.name)
    os.rmdir(root / ".specls/cache/parse-v1")
    (root / ".specls/cache/.gitignore").unlink()
    os.rmdir(root / ".specls/cache")
    os.symlink(outside, root / ".specls/cache")
    calls: list[str] = []
    real = workspace_module.parse_document
    workspace_module.parse_document = lambda rel, *a: calls.append(rel) or real(rel, *a)  # type: ignore[assignment]
    try:
        assert Workspace.load(root).docs == cold.docs
    finally:
        workspace_module.parse_document = real
    assert sorted(calls) == sorted(cold.docs)


def test_a_symlinked_entry_is_not_followed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", SPECS)
    cold = Workspace.load(root)
    key = parse_cache.secret()
    assert key is not None
    outside = tmp_path / "outside"
    outside.mkdir()
    for name, forged in forgeries(root, cold, key):  # authentic, but outside the root
        data = parse_cache.encode_entry(key, name, forged)
        (outside / name).write_bytes(data)
        (root / ".specls/cache/parse-v1" / f"{name}.entry").unlink()
        os.symlink(outside / name, root / ".specls/cache/parse-v1" / f"{name}.entry")
    assert Workspace.load(root).docs == cold.docs
    assert not any(entry.is_symlink() for entry in entries(root))  # replaced, not followed
    assert all(parse_cache.decode_entry(key, f.name, f.read_bytes()) for f in outside.iterdir())


def test_no_cache_when_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parse_cache.DISABLE_ENV, "1")
    root = write_tree(tmp_path / "ws", SPECS)
    Workspace.load(root)
    assert not (root / ".specls").exists()


def test_stale_entries_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_cache, "_PRUNE_SLACK", 3)
    root = write_tree(tmp_path / "ws", SPECS)
    for n in range(6):
        (root / "other.spec.md").write_text(f"# Other {n}\n")
        Workspace.load(root)
    assert len(entries(root)) <= len(SPECS) - 2 + 3


def test_concurrent_checks_agree_and_leave_a_whole_cache(tmp_path: Path) -> None:
    """Two `specls check` runs at once, cold then warm: the same findings as with no
    cache, and every entry left behind is whole."""
    root = copy_example(tmp_path / "shop")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache"), "NO_COLOR": "1"}
    args = [sys.executable, "-m", "specls", "check", "--format", "json"]
    baseline = run_specls("check", "--format", "json", cwd=root, env={parse_cache.DISABLE_ENV: "1"})
    for _ in range(2):
        procs = [
            subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120)[0] for p in procs]
        assert [json.loads(o) for o in outs] == [json.loads(baseline.stdout)] * 2
    assert entries(root)
    key = (tmp_path / "user-cache/specls/cache-secret").read_bytes()
    for entry in entries(root):
        assert parse_cache.decode_entry(key, entry.name[:-6], entry.read_bytes()) is not None
    assert not list((root / ".specls/cache/parse-v1").glob("*.tmp"))
