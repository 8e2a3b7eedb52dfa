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
