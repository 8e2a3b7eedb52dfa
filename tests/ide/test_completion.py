"""ide.completion: items as plain data, ranges in UTF-16, paths through the FileSystem."""

from __future__ import annotations

import textwrap

from specls.ide.completion import CompletionItem, ItemKind, Options, completions
from specls.text import Range

from ide.memfs import world

FILES = """
    //- specs/users.spec.md
    # Users
    ## User model {#user-model}
    //- specs/reqs.spec.md
    # Reqs
    - **FR-001**: Carts MUST add up.
    - **FR-002**: Totals are exact.
    //- src/cart.py
    class Cart:
        def total(self) -> int:
            return 0
    //- src/pkg/mod.py
    X = 1
"""


def items(text: str, opts: Options | None = None) -> list[CompletionItem]:
    w = world(text + textwrap.dedent(FILES))
    return completions(w.snap, w.path, w.pos, opts or Options())


def by_label(found: list[CompletionItem]) -> dict[str, CompletionItem]:
    return {i.label: i for i in found}


def test_directive_labels_after_cjk_and_emoji() -> None:
    found = by_label(items("//- specs/a.spec.md\n漢字 🛒 [@u$0\n"))
    use = found["@use"]
    assert set(found) == {"@generate", "@test", "@use", "@describe"}
    assert (use.kind, use.range, use.insert_text, use.snippet, use.retrigger) == (
        ItemKind.KEYWORD,
        Range.of(0, 7, 0, 9),
        "@use](",
        False,
        False,
    )
    snippet = by_label(
        items("//- specs/a.spec.md\n漢字 🛒 [@u$0\n", Options(snippets=True, retrigger=True))
    )["@use"]
    assert (snippet.insert_text, snippet.snippet, snippet.retrigger) == ("@use]($1)$0", True, True)


def test_an_existing_label_only_has_its_label_replaced() -> None:
    found = by_label(items("//- specs/a.spec.md\n[@gen$0erate](x.py)\n", Options(snippets=True)))
    assert (found["@test"].insert_text, found["@test"].range) == ("@test", Range.of(0, 1, 0, 10))


def test_paths_are_listed_through_the_file_system() -> None:
    found = items("//- specs/a.spec.md\n🛒 [@generate](../src/$0)\n")
    assert [(i.label, i.kind, i.detail, i.range) for i in found] == [
        ("cart.py", ItemKind.FILE, "src/cart.py", Range.of(0, 22, 0, 22)),
        ("pkg/", ItemKind.FOLDER, None, Range.of(0, 22, 0, 22)),
    ]


def test_symbols_of_a_file_and_sections_of_a_spec() -> None:
    found = items("//- specs/a.spec.md\n見 [@generate](../src/cart.py#T$0)\n")
    assert [(i.label, i.kind, i.range) for i in found] == [
        ("Cart", ItemKind.CLASS, Range.of(0, 29, 0, 30)),
        ("Cart.total", ItemKind.METHOD, Range.of(0, 29, 0, 30)),
    ]
    sections = items("//- specs/a.spec.md\n# A\n[@use](users.spec.md#$0)\n")
    assert [(i.label, i.detail, i.range) for i in sections] == [
        ("users", "Users", Range.of(1, 21, 1, 21)),
        ("user-model", "User model", Range.of(1, 21, 1, 21)),
    ]


def test_requirement_ids_in_a_covers_list() -> None:
    found = items("//- specs/a.spec.md\n# A\n合計 (covers: FR-001, F$0)\n")
    assert [(i.label, i.kind, i.detail, i.range) for i in found] == [
        ("FR-001", ItemKind.CONSTANT, "Carts MUST add up.", Range.of(1, 20, 1, 21)),
        ("FR-002", ItemKind.CONSTANT, "Totals are exact.", Range.of(1, 20, 1, 21)),
    ]


def test_completion_uses_the_open_buffer_not_the_disk() -> None:
    from ide.memfs import snapshot_of

    w = world("//- specs/a.spec.md\n# A\n" + textwrap.dedent(FILES))
    live = snapshot_of(w.fs, {"specs/a.spec.md": "# A\n[@te\n"})
    found = completions(live, "specs/a.spec.md", Range.of(1, 4).start, Options())
    assert [i.label for i in found] == ["@generate", "@test", "@use", "@describe"]


def test_listing_a_directory_reads_no_file() -> None:
    w = world("//- specs/a.spec.md\n[@generate](../src/$0)\n" + textwrap.dedent(FILES))
    before = dict(w.fs.reads)
    assert [i.label for i in completions(w.snap, w.path, w.pos, Options())] == ["cart.py", "pkg/"]
    read = {rel for rel, n in w.fs.reads.items() if n != before.get(rel, 0)}
    assert read == {"specs/a.spec.md"}  # the line being typed (no open buffer here), no listing


def test_use_offers_files_and_sections_of_this_and_other_specs() -> None:
    found = items("//- specs/a.spec.md\n# A 🛒\n## Pricing\n🛒 カート [@use]($0\n")
    got = {i.label: (i.detail, i.range) for i in found}
    empty = Range.of(2, 14, 2, 14)
    assert got["../"] == (None, empty)
    assert got["users.spec.md"] == ("specs/users.spec.md", empty)
    assert got["#pricing"] == ("Pricing", empty)
    assert got["users.spec.md#user-model"] == ("User model", empty)
    same = items("//- specs/a.spec.md\n# A 🛒\n## Pricing\n🛒 カート [@use](#$0\n")
    assert [(i.label, i.detail, i.range) for i in same] == [
        ("a-", "A 🛒", Range.of(2, 15, 2, 15)),
        ("pricing", "Pricing", Range.of(2, 15, 2, 15)),
    ]


def test_kiro_criteria_after_a_requirements_trailer() -> None:
    found = items(
        """//- specs/kiro.spec.md
# Requirements

### Requirement 1

1. WHEN a user logs in THE SYSTEM SHALL greet them.
2. WHEN a user logs out THE SYSTEM SHALL forget the session.

- [ ] 1. 🛒 _Requirements: 1.$0
"""
    )
    got = {i.label: (i.detail, i.range) for i in found}
    assert sorted(got) == ["1", "1.1", "1.2"]
    assert got["1.2"] == (
        "WHEN a user logs out THE SYSTEM SHALL forget the session.",
        Range.of(7, 27, 7, 29),
    )


def test_nothing_in_plain_prose() -> None:
    assert items("//- specs/a.spec.md\n🛒 カート just words $0\n") == []


KIRO_FEATURES = """
//- .kiro/specs/auth/requirements.md
# Requirements

### Requirement 1

#### Acceptance Criteria

1. WHEN a shopper signs in THEN the service SHALL issue a session
2. The service SHALL hash passwords
//- .kiro/specs/other/requirements.md
### Requirement 7

#### Acceptance Criteria

1. The other feature SHALL be elsewhere
"""


def test_kiro_offers_only_its_feature_after_a_trailer_and_validates() -> None:
    w = world(
        "//- .kiro/specs/auth/tasks.md\n- [ ] 1. 🛒 Sessions\n  - _Requirements: 1.$0\n"
        + textwrap.dedent(KIRO_FEATURES)
    )
    found = {i.label: (i.detail, i.range) for i in completions(w.snap, w.path, w.pos, Options())}
    assert sorted(found) == ["1", "1.1", "1.2"]
    assert found["1.2"] == ("The service SHALL hash passwords", Range.of(1, 19, 1, 21))
    w = world(
        "//- .kiro/specs/auth/design.md\n漢字 **Validates: Requirements 1.1, $0\n"
        + textwrap.dedent(KIRO_FEATURES)
    )
    found = {i.label: i.range for i in completions(w.snap, w.path, w.pos, Options())}
    assert sorted(found) == ["1", "1.1", "1.2"]
    assert found["1"] == Range.of(0, 34, 0, 34)


SPECKIT_FEATURES = """
//- specs/001-albums/spec.md
# Albums

### User Story 1 - Browse albums (Priority: P1)

- **FR-001**: Users MUST see albums.
- **FR-002:** Users MUST sort albums.
//- specs/002-sharing/spec.md
### User Story 2 - Share (Priority: P2)

- **FR-009**: Elsewhere.
"""


def test_speckit_covers_and_stories_stay_in_the_feature() -> None:
    w = world(
        "//- specs/001-albums/tasks.md\n- [ ] T001 🚀 Grid (covers: FR-$0)\n"
        + textwrap.dedent(SPECKIT_FEATURES)
    )
    found = {i.label: (i.detail, i.range) for i in completions(w.snap, w.path, w.pos, Options())}
    assert found == {
        "FR-001": ("Users MUST see albums.", Range.of(0, 28, 0, 31)),
        "FR-002": ("Users MUST sort albums.", Range.of(0, 28, 0, 31)),
    }
    w = world(
        "//- specs/001-albums/tasks.md\n- [ ] T002 🚀 [US$0] Grid\n"
        + textwrap.dedent(SPECKIT_FEATURES)
    )
    found = {i.label: i.range for i in completions(w.snap, w.path, w.pos, Options())}
    assert found == {"US1": Range.of(0, 15, 0, 17)}


OPENSPEC_BASE = """
//- openspec/specs/auth/spec.md
# Auth

### Requirement: User login
The system SHALL let users sign in.

### Requirement: Password reset
The system SHALL email a reset link.
//- openspec/specs/billing/spec.md
### Requirement: Invoices
The system SHALL send invoices.
"""


def test_an_openspec_delta_offers_the_base_spec_names() -> None:
    delta = "openspec/changes/remember-me/specs/auth/spec.md"
    w = world(
        f"//- {delta}\n## MODIFIED Requirements\n\n### Requirement: Us$0\n"
        + textwrap.dedent(OPENSPEC_BASE)
    )
    found = {i.label: i.range for i in completions(w.snap, w.path, w.pos, Options())}
    assert found == {
        "User login": Range.of(2, 17, 2, 19),
        "Password reset": Range.of(2, 17, 2, 19),
    }
    w = world(
        f"//- {delta}\n## RENAMED Requirements\n- FROM: `### Requirement: $0`\n"
        + textwrap.dedent(OPENSPEC_BASE)
    )
    found = {i.label: i.range for i in completions(w.snap, w.path, w.pos, Options())}
    assert sorted(found) == ["Password reset", "User login"]
