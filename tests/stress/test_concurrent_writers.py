"""N writers at once on one workspace (issue 9, "What it must show").

Each round changes the spec of 16 of the 20 units of a generated workspace
(and makes 3 of them new: no output, no lock entry), then starts at once:
several `specls regen <refs>` and `specls stamp <refs>` processes and, in one
running server, `specls.regenerate` and `specls.stamp` commands
(workspace/executeCommand, docs/protocol.md), on disjoint and overlapping sets
of units. Whatever order they end up in, every
writer succeeds and afterwards:

- every unit has its lock entry, and every output hash in the lock is the
  hash of the file on disk (nothing lost, nothing half-written);
- `specls check` is clean: each unit was regenerated or stamped after its
  spec changed, so none is ungenerated, edited or stale; the 4 units no writer
  touched keep their lock entries byte for byte;
- no `*.specls-tmp` file is left behind.

CI: ROUNDS rounds (seeded). Long: SPECLS_STRESS=long (or SPECLS_STRESS_ROUNDS=N).
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from stress_lsp import LspProcess, uri
from stress_workspace import (
    Layout,
    check_json,
    create,
    describe,
    lock_untrue,
    read_lock,
    spawn,
    specls,
    temp_files,
)

LONG = os.environ.get("SPECLS_STRESS") == "long"
ROUNDS = int(os.environ.get("SPECLS_STRESS_ROUNDS", "50" if LONG else "3"))
LAYOUT = Layout(files=5, per_file=4)  # 20 units
TOUCHED = list(range(16))  # units 16..19 (specs/part4.spec.md) are never written
UNTOUCHED = [i for i in range(LAYOUT.count) if i not in TOUCHED]


def plan_round(rng: random.Random, new: list[int]) -> dict[str, list[list[int]]]:
    """Which units each writer takes: 3 CLI regens, 2 CLI stamps, server regens and
    stamps; random subsets, so sets overlap; every touched unit is taken at least once.
    The `new` units (no output, no lock entry yet) are only regenerated."""
    kinds = ["cli regen"] * 3 + ["cli stamp"] * 2 + ["server regen"] * 3 + ["server stamp"] * 2
    writers: list[tuple[str, list[int]]] = []
    for kind in kinds:
        pool = TOUCHED if "regen" in kind else [i for i in TOUCHED if i not in new]
        size = 1 if kind.startswith("server") else rng.randint(2, 6)
        writers.append((kind, sorted(rng.sample(pool, size))))
    taken = {i for _, units in writers for i in units}
    for i in TOUCHED:
        if i not in taken:
            kind, units = rng.choice([w for w in writers if "regen" in w[0] or i not in new])
            units.append(i)
    plan: dict[str, list[list[int]]] = {}
    for kind, units in writers:
        plan.setdefault(kind, []).append(sorted(set(units)))
    return plan


def wait_server_sees(server: LspProcess, want: dict[str, int], timeout: float = 30.0) -> None:
    """Until the server's output counts are `want` (it has read the new specs and lock)."""
    want = {k: v for k, v in want.items() if v}
    deadline = time.monotonic() + timeout
    while True:
        status = server.result(
            "workspace/executeCommand", {"command": "specls.status", "arguments": [{}]}
        )
        counts = status["roots"][0]["counts"]
        if counts == want:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the server never saw the new state: {counts}, not {want}")
        time.sleep(0.1)


def report_writes(server: LspProcess, root: Path) -> None:
    """What an editor's file watcher reports after commands in a terminal wrote."""
    written = ["spec.lock", *(out for i in range(LAYOUT.count) for out in LAYOUT.outputs(i))]
    server.notify(
        "workspace/didChangeWatchedFiles",
        {"changes": [{"uri": uri(root / rel), "type": 2} for rel in written]},
    )


def outputs_of(units: list[int]) -> int:
    return sum(len(LAYOUT.outputs(i)) for i in units)


def run_round(root: Path, server: LspProcess, round_no: int) -> list[str]:
    """One round; returns what went wrong (empty when the round is correct)."""
    rng = random.Random(round_no)
    variants = {i: round_no + 1 for i in TOUCHED}
    changed = LAYOUT.write_specs(root, variants)
    server.notify(
        "workspace/didChangeWatchedFiles",
        {"changes": [{"uri": uri(root / rel), "type": 2} for rel in changed]},
    )
    # A few units start ungenerated (as new sections do): no output, no lock entry.
    new = sorted(rng.sample(TOUCHED, 3))
    lock_path = root / "spec.lock"
    data = json.loads(lock_path.read_text("utf-8"))
    for i in new:
        data["units"].pop(LAYOUT.ref(i), None)
        for out in LAYOUT.outputs(i):
            (root / out).unlink(missing_ok=True)
    lock_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    report_writes(server, root)
    wait_server_sees(
        server,
        {
            "stale": outputs_of([i for i in TOUCHED if i not in new]),
            "ungenerated": outputs_of(new),
            "fresh": outputs_of(UNTOUCHED),
        },
    )
    before = read_lock(root)
    plan = plan_round(rng, new)

    # All writers start together: the CLI processes first (they take ~0.5 s to start),
    # the server commands right after, without waiting for one another.
    procs = []
    for units in plan.get("cli regen", []):
        procs.append(("regen", units, spawn("regen", *[LAYOUT.ref(i) for i in units], cwd=root)))
    for units in plan.get("cli stamp", []):
        procs.append(("stamp", units, spawn("stamp", *[LAYOUT.ref(i) for i in units], cwd=root)))
    requests = []
    for kind, command in (("server regen", "specls.regenerate"), ("server stamp", "specls.stamp")):
        for units in plan.get(kind, []):
            for i in units:
                rid = server.send_request(
                    "workspace/executeCommand",
                    {"command": command, "arguments": [{"unit": LAYOUT.ref(i)}]},
                )
                requests.append((command, i, rid))

    problems: list[str] = []
    for name, units, proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0 or "Traceback" in err:
            refs = " ".join(LAYOUT.ref(i) for i in units)
            problems.append(f"specls {name} {refs}: exit {proc.returncode}: {(out + err).strip()}")
    for command, i, rid in requests:
        response = server.wait_response(rid, 120)
        result: Any = response.get("result")
        if "error" in response:
            problems.append(f"{command} {LAYOUT.ref(i)}: error {response['error']}")
            continue
        if command == "specls.regenerate":
            ok = not result.get("failed") and not result.get("refused")
            ok = ok and LAYOUT.ref(i) in result.get("regenerated", [])
        else:
            ok = LAYOUT.ref(i) in result.get("stamped", [])
        if not ok:
            problems.append(f"{command} {LAYOUT.ref(i)}: {json.dumps(result)}")
    if not server.alive():
        problems.append(f"the server died: {server.exit_note()}")
    report_writes(server, root)

    lock = read_lock(root)
    missing = [LAYOUT.ref(i) for i in range(LAYOUT.count) if LAYOUT.ref(i) not in lock]
    if missing:
        problems.append(f"{len(missing)} lock entries lost: {' '.join(missing)}")
    problems += [f"lock not true to disk: {w}" for w in lock_untrue(root, lock)]
    for i in UNTOUCHED:
        ref = LAYOUT.ref(i)
        if lock.get(ref) != before.get(ref):
            problems.append(f"{ref} was written by no one, yet its lock entry changed")
    code, findings, _ = check_json(root)
    if code != 0 or findings:
        problems += [f"check (exit {code}): {line}" for line in describe(findings)]
    problems += [f"temp file left behind: {t}" for t in temp_files(root)]
    if problems:
        problems.insert(0, f"round {round_no}, writers {json.dumps(plan)}:")
    return problems


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    root = create(tmp_path / "ws", LAYOUT).resolve()
    first = specls("regen", "--all", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    clean = check_json(root)
    assert clean[:2] == (0, []), clean
    server = LspProcess(root, stderr_path=tmp_path / "server.log")
    failures: list[list[str]] = []
    started = time.monotonic()
    try:
        server.initialize()
        for round_no in range(ROUNDS):
            problems = run_round(root, server, round_no)
            if problems:
                failures.append(problems)
                # Start the next round from a clean state, so each round counts on its own.
                specls("regen", "--all", "--force", cwd=root)
                specls("stamp", "--all", cwd=root)
                report_writes(server, root)
    finally:
        server.close()
    summary = (
        f"concurrent writers: {ROUNDS} rounds of 10 writers on {LAYOUT.count} units, "
        f"{len(failures)} failed, {time.monotonic() - started:.0f} s"
    )
    print(summary)
    if failures:
        pytest.fail(summary + "\n" + "\n\n".join("\n".join(p[:25]) for p in failures[:3]))
