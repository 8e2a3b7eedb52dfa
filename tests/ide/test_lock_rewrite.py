"""ide.lock_rewrite: `spec.lock` edited in place, string by string."""

from __future__ import annotations

import json

from specls.ide.lock_rewrite import json_strings, lock_edits
from specls.text import Range


def test_json_strings_know_their_keys() -> None:
    data = {"units": {"a#x": {"spec": 's"1', "outputs": {"o.py": "h"}}}, "version": 1}
    found = [(t.path, t.key, t.value) for t in json_strings(json.dumps(data))]
    assert found == [
        ((None,), None, "units"),
        ((None, "units"), None, "a#x"),
        ((None, "units", "a#x"), None, "spec"),
        ((None, "units", "a#x"), "spec", 's"1'),
        ((None, "units", "a#x"), None, "outputs"),
        ((None, "units", "a#x", "outputs"), None, "o.py"),
        ((None, "units", "a#x", "outputs"), "o.py", "h"),
        ((None,), None, "version"),
    ]


def test_lock_edits_touch_only_the_named_strings() -> None:
    text = (
        '{\n  "units": {\n    "a.spec.md#x": {"spec": "s1", "inputs": "i1"},\n'
        '    "b.spec.md#y": {"spec": "s2"}\n  },\n  "version": 1\n}\n'
    )
    edits = lock_edits(text, {"a.spec.md#x": "a.spec.md#z"}, {"b.spec.md#y": {"spec": "s3"}})
    assert edits == [
        (Range.of(2, 4, 2, 17), '"a.spec.md#z"'),
        (Range.of(3, 28, 3, 32), '"s3"'),
    ]
