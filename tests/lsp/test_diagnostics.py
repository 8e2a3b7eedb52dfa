"""Diagnostics through the protocol: live, versioned, on specs and generated files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_helpers import change_doc, codes, open_doc, uri, wait_diagnostics, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient
from specls.config import ALWAYS_EXCLUDED, DEFAULT_INCLUDE, load_config


async def test_clean_example_has_no_freshness_problems(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    doc_uri = open_doc(client, root / "specs" / "cart.spec.md")
    await wait_for(lambda: bool(client.status_notes), message="specls/status")  # type: ignore[attr-defined]
    assert not [d for d in client.diagnostics.get(doc_uri, []) if str(d.code).startswith("SPEC2")]
    counts = client.status_notes[-1].counts._asdict()  # type: ignore[attr-defined]
    assert counts == {"fresh": 6}
    # Clients decide which files are specs with the root's own globs (docs/protocol.md).
    globs = client.status_notes[-1].globs  # type: ignore[attr-defined]
    config, _ = load_config(root)
    assert list(globs.include) == config.include
    never = [f"**/{d}/**" for d in ALWAYS_EXCLUDED]  # folders the server never searches
    assert list(globs.exclude) == [*config.exclude, *never]
    assert config.include != list(DEFAULT_INCLUDE)  # the example's own specls.toml, not defaults


async def test_editing_a_section_makes_its_output_stale(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = open_doc(client, spec)
    edited = text.replace("exact to\nthe cent", "exact to\nthe cent, always 🛒")
    assert edited != text
    change_doc(client, doc_uri, edited, 2)
    diags = await wait_diagnostics(client, doc_uri, lambda ds: "SPEC201" in codes(ds))
    stale = next(d for d in diags if d.code == "SPEC201")
    line = edited.splitlines().index("[@generate](../src/shop/cart.py)")
    assert stale.range == types.Range(
        start=types.Position(line=line, character=0),
        end=types.Position(line=line, character=len("[@generate](../src/shop/cart.py)")),
    )
    assert stale.severity == types.DiagnosticSeverity.Warning
    assert "src/shop/cart.py is stale" in stale.message
    output_uri = uri(root / "src" / "shop" / "cart.py")
    out_diags = await wait_diagnostics(client, output_uri, lambda ds: "SPEC201" in codes(ds))
    note = next(d for d in out_diags if d.code == "SPEC201")
    assert "generated from specs/cart.spec.md#cart" in note.message
    assert note.related_information and note.related_information[0].location.uri == doc_uri
    # Undo the edit: the stale warning goes away again.
    change_doc(client, doc_uri, text, 3)
    await wait_diagnostics(client, doc_uri, lambda ds: "SPEC201" not in codes(ds))
    await wait_diagnostics(client, output_uri, lambda ds: not ds)


async def test_hand_edit_of_generated_file_is_flagged(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    out = root / "src" / "shop" / "users.py"
    out_uri = open_doc(client, out)
    change_doc(client, out_uri, out.read_text(encoding="utf-8") + "\n# patched by hand\n", 2)
    diags = await wait_diagnostics(client, out_uri, lambda ds: "SPEC202" in codes(ds))
    edited = next(d for d in diags if d.code == "SPEC202")
    assert edited.message.startswith("edited: generated from specs/users.spec.md#user-model")
    assert "change the spec and regenerate" in edited.message
    assert edited.severity == types.DiagnosticSeverity.Warning


async def test_results_for_an_old_version_are_never_published(client: LanguageClient) -> None:
    """Rapid edits: every publish names the version it was computed for, versions only
    grow, and the last publish is for the last edit."""
    published: list[tuple[int | None, list[str]]] = []
    features = client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    root: Path = client.root  # type: ignore[attr-defined]
    spec = root / "specs" / "cart.spec.md"
    text = spec.read_text(encoding="utf-8")
    doc_uri = uri(spec)

    def record(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == doc_uri:
            published.append((params.version, codes(params.diagnostics)))
        original(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    # typing in a loaded root (during the load, a clean end state is never published:
    # nothing was, and there is nothing to clear; test_startup covers edits in a load)
    await wait_for(lambda: client.status_notes, message="the root loaded")  # type: ignore[attr-defined]
    open_doc(client, spec)
    for version in range(2, 22):  # typing faster than the debounce
        broken = "[@use](#nowhere)\n" if version % 2 == 0 else ""
        change_doc(client, doc_uri, text + f"\n{broken}edit {version} 🛒\n", version)
        await asyncio.sleep(0.01)
    # The last edit (21) has no broken reference: its diagnostics must say so.
    await wait_for(lambda: bool(published) and published[-1][0] == 21, message="version 21")
    versions = [v for v, _ in published]
    assert all(v is not None for v in versions)
    assert versions == sorted(versions)
    assert "SPEC102" not in published[-1][1]
    assert len(published) < 20  # debounced: not one analysis per keystroke
