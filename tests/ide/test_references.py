"""ide.references: who names a section, a requirement or a file."""

from __future__ import annotations

from specls.ide.references import references
from specls.text import Range

from ide.memfs import at, world

FILES = """
    //- specs/users.spec.md
    # Users
    ## User 🧑 model$0 {#user-model}
    [@generate](../src/user.py)
    //- specs/auth.spec.md
    # Auth
    見る [@use](users.spec.md#user-model) [@use](../src/user.py)
    Traces FR-001 and FR-001.
    //- specs/reqs.spec.md
    # Reqs
    - **FR-001**: Users log in.
    //- src/user.py
    USER = 1
"""


def test_a_section_its_uses_and_its_outputs() -> None:
    w = world(FILES)
    assert references(w.snap, w.path, w.pos, declaration=True) == [
        ("specs/users.spec.md", Range.of(1, 0, 1, 30)),
        ("specs/auth.spec.md", Range.of(1, 10, 1, 34)),
        ("src/user.py", Range.of(0, 0, 0, 0)),
    ]
    # From the `@use` that names it (after CJK text), without the declaration.
    use = at(w.text("specs/auth.spec.md"), "user-model")
    assert references(w.snap, "specs/auth.spec.md", use, declaration=False) == [
        ("specs/auth.spec.md", Range.of(1, 10, 1, 34)),
        ("src/user.py", Range.of(0, 0, 0, 0)),
    ]


def test_a_file_is_named_by_every_directive() -> None:
    w = world(FILES)
    expected = [
        ("specs/auth.spec.md", Range.of(1, 43, 1, 57)),
        ("specs/users.spec.md", Range.of(2, 12, 2, 26)),
    ]
    assert references(w.snap, "src/user.py", at(w.text("src/user.py"), "USER"), True) == expected
    directive = at(w.text("specs/auth.spec.md"), "../src")
    assert references(w.snap, "specs/auth.spec.md", directive, False) == expected


def test_a_requirement_without_repeats() -> None:
    w = world(FILES)
    found = references(w.snap, "specs/reqs.spec.md", at(w.text("specs/reqs.spec.md"), "FR"), True)
    assert found == [
        ("specs/reqs.spec.md", Range.of(1, 4, 1, 10)),
        ("specs/auth.spec.md", Range.of(2, 7, 2, 13)),
        ("specs/auth.spec.md", Range.of(2, 18, 2, 24)),
    ]
