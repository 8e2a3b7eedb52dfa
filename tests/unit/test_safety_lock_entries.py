"""No lost work, no lost lock entries (issue 9): hand-written files are never silently
overwritten, lock entries follow a heading's new ID and survive unreadable specs, and an
output equal to what its section generates is fresh while the lock lags."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import analysis, edit, load, of_code, regen, write_tree
from specls.findings import Code
from specls.lock import LOCK_NAME, load_lock
from specls.service import SpecService
from specls.status import Status

SPEC = "a.spec.md"
A = """
    # A

    ## One {#one}
    [@generate](one.py)

    ```python file=one.py
    X = "☕ one"
    ```

    ## Two {#two}
    [@generate](two.py)

    ```python file=two.py
    Y = 2
    ```
    """
GENERATED = 'X = "☕ one"\n'


def lock_refs(root: Path) -> list[str]:
    lock = load_lock(root / LOCK_NAME)
    assert lock is not None
    return sorted(lock.units)


# --- hand-written files ---------------------------------------------------------------


def test_a_hand_written_file_a_new_section_claims_is_not_overwritten(tmp_path: Path) -> None:
    write_tree(tmp_path, {SPEC: A, "one.py": "# my own code\n"})
    plan = regen(tmp_path)
    assert not plan.ok and plan.codes[f"{SPEC}#one"] is Code.REGEN_REFUSED_EDITED
    assert "one.py exists, has no lock entry and differs" in plan.refused[0][1]
    assert (tmp_path / "one.py").read_text() == "# my own code\n"
    assert regen(tmp_path, force=True).ok
    assert (tmp_path / "one.py").read_text() == GENERATED
    (backup,) = (tmp_path / ".specls/backup").glob("*/one.py")
    assert backup.read_text() == "# my own code\n"


def test_a_file_already_equal_to_its_section_is_fresh_and_regen_settles_the_lock(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {SPEC: A, "one.py": GENERATED})
    a = analysis(tmp_path)
    one = a.units[f"{SPEC}#one"]
    assert (one.outputs[0].status, one.outputs[0].unlocked, one.needs_settling) == (
        Status.FRESH,
        True,
        True,
    )
    assert regen(tmp_path, [f"{SPEC}#one"]).ok  # no refusal, no backup
    assert not (tmp_path / ".specls" / "backup").exists()
    assert lock_refs(tmp_path) == [f"{SPEC}#one"]
    assert not analysis(tmp_path).units[f"{SPEC}#one"].needs_settling


# --- a heading's ID edited in place ---------------------------------------------------


def test_the_lock_entry_follows_a_heading_id_changed_by_a_text_edit(tmp_path: Path) -> None:
    write_tree(tmp_path, {SPEC: A})
    assert regen(tmp_path).ok
    edit(tmp_path, SPEC, "## One {#one}", "## Uno {#uno}")
    ws, reader, a = load(tmp_path)
    uno = a.units[f"{SPEC}#uno"]
    assert uno.adopted_from == f"{SPEC}#one" and uno.lock is not None
    assert uno.outputs[0].status is Status.STALE  # the heading changed; not ungenerated
    assert a.orphans == () and not of_code(a, Code.ORPHAN)
    SpecService(ws, reader).prune(a)  # nothing to prune: the entry is the renamed section's
    assert lock_refs(tmp_path) == [f"{SPEC}#one", f"{SPEC}#two"]
    outcome = SpecService(ws, reader).regenerate(a, [f"{SPEC}#uno"])
    assert outcome.plan.ok and outcome.written
    assert lock_refs(tmp_path) == [f"{SPEC}#two", f"{SPEC}#uno"]
    assert analysis(tmp_path).units[f"{SPEC}#uno"].status is Status.FRESH


def test_stamp_moves_an_adopted_entry_too(tmp_path: Path) -> None:
    write_tree(tmp_path, {SPEC: A})
    assert regen(tmp_path).ok
    edit(tmp_path, SPEC, "{#two}", "{#deux}")
    ws, reader, a = load(tmp_path)
    SpecService(ws, reader).stamp(a, [f"{SPEC}#deux"])
    assert lock_refs(tmp_path) == [f"{SPEC}#deux", f"{SPEC}#one"]


def test_no_adoption_when_the_outputs_do_not_match(tmp_path: Path) -> None:
    write_tree(tmp_path, {SPEC: A})
    assert regen(tmp_path).ok
    edit(tmp_path, SPEC, "{#one}", "{#uno}")
    (tmp_path / "one.py").write_text("edited\n")
    a = analysis(tmp_path)
    assert a.units[f"{SPEC}#uno"].adopted_from is None
    assert a.orphans == (f"{SPEC}#one",)


# --- entries of specs that were not read ----------------------------------------------


def test_entries_of_an_unreadable_or_excluded_spec_are_not_orphans(tmp_path: Path) -> None:
    write_tree(tmp_path, {SPEC: A, "b.spec.md": A.replace("one", "b1").replace("two", "b2")})
    assert regen(tmp_path).ok
    refs = lock_refs(tmp_path)
    assert len(refs) == 4
    (tmp_path / "b.spec.md").write_bytes(b"# B\n\0binary now\n")
    ws, reader, a = load(tmp_path)
    assert "b.spec.md" in ws.unreadable and a.orphans == ()
    SpecService(ws, reader).prune(a)
    assert lock_refs(tmp_path) == refs
    (tmp_path / "b.spec.md").write_text(A.replace("one", "b1").replace("two", "b2"))
    (tmp_path / "specls.toml").write_text('exclude = ["b.spec.md"]\n')
    ws, reader, a = load(tmp_path)
    assert "b.spec.md" not in ws.docs and a.orphans == ()
    SpecService(ws, reader).prune(a)
    assert lock_refs(tmp_path) == refs
    (tmp_path / "b.spec.md").unlink()  # gone for good: now they are orphans
    assert analysis(tmp_path).orphans == ("b.spec.md#b1", "b.spec.md#b2")


# --- the lock lags behind the outputs -------------------------------------------------


def test_an_output_equal_to_its_current_section_is_fresh_when_the_lock_lags(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, {SPEC: A})
    assert regen(tmp_path).ok
    lock_before = (tmp_path / LOCK_NAME).read_bytes()
    edit(tmp_path, SPEC, 'X = "☕ one"', 'X = "☕ uno"')
    (tmp_path / "one.py").write_text('X = "☕ uno"\n')  # as a regen killed before the lock
    a = analysis(tmp_path)
    (o,) = a.units[f"{SPEC}#one"].outputs
    assert (o.status, o.unlocked) == (Status.FRESH, True)
    assert not [f for f in a.findings if f.severity.value in ("error", "warning")]
    assert (tmp_path / LOCK_NAME).read_bytes() == lock_before  # analysis writes nothing
    (tmp_path / "one.py").write_text('X = "something else"\n')  # matches neither
    assert analysis(tmp_path).units[f"{SPEC}#one"].outputs[0].status is Status.EDITED


def test_a_command_generator_output_is_never_fresh_by_tangle(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            SPEC: A,
            "specls.toml": '[generators.agent]\ncommand = ["false"]\n',
        },
    )
    assert regen(tmp_path).ok
    data = json.loads((tmp_path / LOCK_NAME).read_text())
    edit(tmp_path, SPEC, "# A\n", "---\ngenerator: agent\n---\n# A\n")
    edit(tmp_path, SPEC, 'X = "☕ one"', 'X = "☕ uno"')
    (tmp_path / "one.py").write_text('X = "☕ uno"\n')
    (o,) = analysis(tmp_path).units[f"{SPEC}#one"].outputs
    assert data and (o.status, o.unlocked) == (Status.EDITED, False)
