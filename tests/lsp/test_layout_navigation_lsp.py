"""Definition and completion on Kiro and Spec Kit projects, through a real `specls serve`.

The workspace is the layout fixtures of tests/fixtures/layouts (two Kiro
features, two Spec Kit features); buffers are opened with non-ASCII text
before the cursor so that every column is UTF-16.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pytest_lsp
from conftest import CLIENTS, SERVER, init_params, install_handlers
from lsp_helpers import open_doc, uri
from lsprotocol import types
from pytest_lsp import LanguageClient

LAYOUTS = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
KIRO_TASKS = ".kiro/specs/user-auth/tasks.md"
KIRO_REQS = ".kiro/specs/user-auth/requirements.md"
SK_TASKS = "specs/001-photo-albums/tasks.md"
SK_SPEC = "specs/001-photo-albums/spec.md"
KIRO_CRITERIA = ["1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "4", "4.1", "4.2"]
# Feature 001's IDs (the editor filters them by what is typed); 002's FR-001 is not offered.
SK_IDS = ["FR-001", "FR-002", "FR-003", "FR-004", "SC-001"]
SK_TASKS_CITABLE = ["T001", "T002", "T003", "T004", "T006", "T007"]  # not T005: its own line


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(LAYOUTS / "kiro", root)
    shutil.copytree(LAYOUTS / "speckit", root, dirs_exist_ok=True)
    install_handlers(lsp_client)
    await lsp_client.initialize_session(init_params(root, request.param))
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def rng(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


def root_of(client: LanguageClient) -> Path:
    return client.root  # type: ignore[attr-defined,no-any-return]


async def definition(client: LanguageClient, doc_uri: str, line: int, character: int) -> list:
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
        )
    )
    found = result if isinstance(result, list) else [result] if result else []
    out = []
    for item in found:
        if isinstance(item, types.LocationLink):
            out.append((item.target_uri, item.target_selection_range, item.origin_selection_range))
        else:
            out.append((item.uri, item.range, None))
    return out


async def labels(client: LanguageClient, doc_uri: str, line: int, character: int) -> dict:
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=doc_uri),
            position=types.Position(line=line, character=character),
        )
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    out = {}
    for i in items:
        edit = i.text_edit
        assert isinstance(edit, types.TextEdit | types.InsertReplaceEdit | None)
        out[i.label] = (edit.range if isinstance(edit, types.TextEdit) else edit, i.detail)
    return out


async def test_kiro_range_across_majors_and_trailer_completion(client: LanguageClient) -> None:
    root = root_of(client)
    text = (root / KIRO_TASKS).read_text(encoding="utf-8")
    # line 15: `  - _Requirements: 1.4–2.1, 2.2,` — the en-dash precedes `2.1`
    text = text.replace("  - _Requirements: 3.1, 4.1_", "  - 🔐 _Requirements: 3.1, 4.")
    doc_uri = open_doc(client, root / KIRO_TASKS, text)
    found = await definition(client, doc_uri, 15, 24)
    reqs = uri(root / KIRO_REQS)
    origin = rng(15, 19, 26)
    assert found == [(reqs, rng(17, 0, 1), origin), (reqs, rng(25, 0, 1), origin)]
    # completion after `4.` offers this feature's IDs only (billing's are elsewhere)
    got = await labels(client, doc_uri, 19, 29)
    assert sorted(got) == [
        "1",
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2",
        "2.1",
        "2.2",
        "2.3",
        "4",
        "4.1",
        "4.2",
    ]
    assert got["4.2"][0] == rng(19, 27, 29)


async def test_speckit_story_range_and_covers_completion(client: LanguageClient) -> None:
    root = root_of(client)
    text = (root / SK_TASKS).read_text(encoding="utf-8")
    text = text.replace("T005 [US1] Store albums", "T005 [US1] 📷 Store albums (covers: FR-")
    doc_uri = open_doc(client, root / SK_TASKS, text)
    spec = uri(root / SK_SPEC)
    tasks = uri(root / SK_TASKS)
    # `[US1]` on T003's line → the user story in this feature's spec.md
    assert await definition(client, doc_uri, 11, 17) == [(spec, rng(7, 4, 16), rng(11, 16, 19))]
    # `T003-T005` → the three tasks (ends and what lies between)
    found = await definition(client, doc_uri, 22, 4)
    assert [(u, r) for u, r, _ in found] == [
        (tasks, rng(11, 6, 10)),
        (tasks, rng(12, 6, 10)),
        (tasks, rng(13, 6, 10)),
    ]
    # completion after `(covers: FR-`, past the emoji (two UTF-16 units)
    line = text.split("\n")[13]
    col = len(line[: line.index("FR-") + 3].encode("utf-16-le")) // 2
    assert col == 45  # `📷` counts two
    got = await labels(client, doc_uri, 13, col)
    assert sorted(got) == SK_IDS + SK_TASKS_CITABLE
    assert got["FR-001"] == (rng(13, col - 3, col), "System MUST let users create albums.")
