"""specls.lock: round trip, atomic writes, and errors that name the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import load, regen, write_tree
from specls.findings import Code
from specls.lock import (
    LOCK_NAME,
    Lock,
    LockError,
    LockUnit,
    dump_lock,
    load_lock,
    parse_lock,
    write_lock,
)
from specls.service import SpecService, WriteRefused

UNIT = LockUnit(
    spec="sha256:aa",
    inputs="sha256:bb",
    generator="tangle",
    generated="2026-01-01T00:00:00Z",
    outputs={"src/z.py": "sha256:cc", "src/a.py#F": "sha256:dd"},
)
LOCK = Lock(units={"specs/z.spec.md#z": UNIT, "specs/a.spec.md#a": UNIT})


def test_round_trip_is_sorted_indented_and_ends_with_a_newline() -> None:
    text = dump_lock(LOCK)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert parse_lock(Path(LOCK_NAME), text) == LOCK
    assert dump_lock(parse_lock(Path(LOCK_NAME), text)) == text
    data = json.loads(text)
    assert list(data) == ["units", "version"]
    assert list(data["units"]) == ["specs/a.spec.md#a", "specs/z.spec.md#z"]
    assert list(data["units"]["specs/a.spec.md#a"]) == [
        "generated",
        "generator",
        "inputs",
        "outputs",
        "spec",
    ]  # an empty `described` is left out
    assert list(data["units"]["specs/a.spec.md#a"]["outputs"]) == ["src/a.py#F", "src/z.py"]
    assert text.startswith('{\n  "units": {\n    "specs/a.spec.md#a": {\n')


def test_described_hashes_round_trip() -> None:
    lock = Lock(units={"a#b": UNIT.model_copy(update={"described": {"src/h.py#main": "x"}})})
    assert parse_lock(Path(LOCK_NAME), dump_lock(lock)) == lock


def test_non_ascii_keys_are_written_as_is() -> None:
    lock = Lock(units={"specs/购物.spec.md#cart": UNIT})
    text = dump_lock(lock)
    assert "购物" in text and parse_lock(Path(LOCK_NAME), text) == lock


def test_write_lock_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / LOCK_NAME
    path.write_text("old\n")
    path.chmod(0o640)
    write_lock(path, LOCK)
    assert path.read_text() == dump_lock(LOCK)
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME]
    assert path.stat().st_mode & 0o777 == 0o640  # permissions kept
    assert load_lock(path) == LOCK


def test_a_missing_lock_is_none(tmp_path: Path) -> None:
    assert load_lock(tmp_path / LOCK_NAME) is None


def error(text: str | bytes, tmp_path: Path) -> LockError:
    path = tmp_path / LOCK_NAME
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(LockError) as info:
        load_lock(path)
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")
    return info.value


GOOD = dump_lock(LOCK)


def test_merge_conflict_markers_name_the_first_marker_line(tmp_path: Path) -> None:
    lines = GOOD.splitlines()
    conflicted = "\n".join(
        [
            *lines[:3],
            "<<<<<<< HEAD",
            *lines[3:5],
            "=======",
            *lines[3:5],
            ">>>>>>> feature",
            *lines[5:],
        ]
    )
    e = error(conflicted, tmp_path)
    assert e.line == 4
    assert "merge conflict" in e.message


def test_a_lone_separator_marker_is_a_conflict_too(tmp_path: Path) -> None:
    lines = GOOD.splitlines()
    assert error("\n".join([*lines[:6], "=======", *lines[6:]]), tmp_path).line == 7


def test_invalid_json_names_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace('"generator": "tangle",', '"generator": "tangle"', 1)
    e = error(bad, tmp_path)
    expected = next(i for i, line in enumerate(bad.splitlines(), 1) if '"inputs"' in line)
    assert e.line == expected and e.message.startswith("invalid JSON")


@pytest.mark.parametrize("text", ["[]", "42", "null"])  # "" is an empty lock
def test_not_an_object(tmp_path: Path, text: str) -> None:
    assert error(text, tmp_path).line == 1


def test_unknown_version_names_the_version_line(tmp_path: Path) -> None:
    bad = GOOD.replace('"version": 1', '"version": 7')
    e = error(bad, tmp_path)
    assert e.line == len(bad.splitlines()) - 1
    assert "unsupported lock version 7" in e.message


@pytest.mark.parametrize("version", ["true", '"1"', "1.0", "null"])
def test_a_version_that_is_not_the_integer_1_is_refused(tmp_path: Path, version: str) -> None:
    e = error(GOOD.replace('"version": 1', f'"version": {version}'), tmp_path)
    assert e.line == len(GOOD.splitlines()) - 1


def test_a_missing_version_is_refused(tmp_path: Path) -> None:
    e = error('{"units": {}}', tmp_path)
    assert "version" in e.message


def test_wrong_types_name_the_field_and_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace('"src/z.py": "sha256:cc"', '"src/z.py": 3', 1)
    e = error(bad, tmp_path)
    expected = next(i for i, line in enumerate(bad.splitlines(), 1) if '"src/z.py": 3' in line)
    assert e.line == expected
    assert e.message == "units.specs/a.spec.md#a.outputs.src/z.py: Input should be a valid string"


def test_a_missing_field_names_its_unit(tmp_path: Path) -> None:
    data = json.loads(GOOD)
    del data["units"]["specs/z.spec.md#z"]["spec"]
    bad = json.dumps(data, indent=2, sort_keys=True)
    e = error(bad, tmp_path)
    expected = next(
        i for i, line in enumerate(bad.splitlines(), 1) if '"specs/z.spec.md#z"' in line
    )
    assert e.line == expected
    assert e.message == "units.specs/z.spec.md#z.spec: Field required"


def test_units_of_the_wrong_type(tmp_path: Path) -> None:
    e = error('{\n  "units": [],\n  "version": 1\n}\n', tmp_path)
    assert (e.line, e.message) == (2, "units: Input should be a valid dictionary")


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    e = error(GOOD.encode().replace(b"tangle", b"tan\xffgle", 1), tmp_path)
    assert e.line == next(i for i, line in enumerate(GOOD.splitlines(), 1) if "tangle" in line)
    assert "UTF-8" in e.message


def test_unknown_keys_are_ignored_for_forward_compatibility() -> None:
    data = json.loads(GOOD)
    data["extra"] = 1
    data["units"]["specs/a.spec.md#a"]["future"] = {"x": 1}
    assert parse_lock(Path(LOCK_NAME), json.dumps(data)) == LOCK


# --- a corrupt lock is never overwritten -------------------------------------------------------

SPEC = {
    "specs/a.spec.md": """
        # A {#a}
        [@generate](../src/a.py)
        ```python file=../src/a.py
        A = 1
        ```
    """
}
CORRUPT = '{\n  "units": {\n<<<<<<< HEAD\n  },\n  "version": 1\n}\n'


def corrupt_workspace(tmp_path: Path) -> Path:
    write_tree(tmp_path, SPEC)
    assert regen(tmp_path).ok
    (tmp_path / LOCK_NAME).write_text(CORRUPT)
    return tmp_path


def test_a_corrupt_lock_is_a_finding_on_its_line(tmp_path: Path) -> None:
    ws, _, a = load(corrupt_workspace(tmp_path))
    [f] = [f for f in a.findings if f.code is Code.BAD_LOCK]
    assert (f.path, f.range.start.line) == (LOCK_NAME, 2)
    assert ws.lock_is_broken


def test_regenerate_stamp_and_prune_refuse_a_corrupt_lock(tmp_path: Path) -> None:
    root = corrupt_workspace(tmp_path)
    (root / "src/a.py").write_text("A = 2\n")
    service = SpecService.open(root)
    a = service.analyze()
    for action in (
        lambda: service.regenerate(a, sorted(a.units), force=True),
        lambda: service.stamp(a, sorted(a.units)),
        lambda: service.prune(a),
    ):
        with pytest.raises(WriteRefused, match=r"spec\.lock:3: "):
            action()
        assert (root / LOCK_NAME).read_text() == CORRUPT
    assert (root / "src/a.py").read_text() == "A = 2\n"
    assert not (root / ".specls" / "backup").exists()  # no backup taken either
