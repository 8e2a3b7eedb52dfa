"""Agent presets end to end: `specls regen` (a subprocess) on a copy of examples/shop
with fake agent CLIs on PATH that imitate each preset's argv and I/O.

For every run that must fail: the message, every workspace file byte-identical,
the lock unchanged. For every run that succeeds: the outputs and the lock."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from agent_env import PRESETS, path_env
from helpers import edit, run_specls, tree_bytes

USERS_SPEC = "specs/users.spec.md"
USERS_PY = "src/shop/users.py"
USER_MODEL = "specs/users.spec.md#user-model"


def make_users_stale(root: Path) -> None:
    edit(root, USERS_SPEC, "A user has a login", "A user has a unique login")


def lock_of(root: Path) -> dict[str, dict[str, object]]:
    units: dict[str, dict[str, object]] = json.loads((root / "spec.lock").read_text())["units"]
    return units


def statuses(root: Path) -> dict[str, str]:
    data = json.loads(run_specls("status", "--format", "json", cwd=root).stdout)
    return {o["output"]: o["status"] for o in data["outputs"]}


def add_config(root: Path, text: str) -> None:
    with (root / "specls.toml").open("a") as f:
        f.write("\n" + text)


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_regenerates_a_unit(shop: Path, fake_bin: Path, preset: str) -> None:
    make_users_stale(shop)
    before = tree_bytes(shop)
    lock_before = lock_of(shop)
    proc = run_specls(
        "regen", "--generator", preset, "user-model", cwd=shop, env=path_env(fake_bin)
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"regenerated {USER_MODEL}: {USERS_PY}\n"
    assert f"specls: {USER_MODEL}: running {preset}" in proc.stderr
    assert f"specls: {USER_MODEL}: {preset} done in " in proc.stderr
    text = (shop / USERS_PY).read_text(encoding="utf-8")
    assert f"Written by the fake {preset}" in text and "✓" in text
    after = tree_bytes(shop)
    entry = lock_of(shop)[USER_MODEL]
    # what was generated is recorded by its lock hash, for a later "Show diff"
    recorded = ".specls/history/" + str(entry["outputs"][USERS_PY]).removeprefix("sha256:")
    assert after[recorded] == (shop / USERS_PY).read_bytes()
    assert {p for p in after if after[p] != before.get(p)} == {USERS_PY, "spec.lock", recorded}
    assert entry["generator"] == preset
    assert entry["outputs"] != lock_before[USER_MODEL]["outputs"]
    assert statuses(shop)[USERS_PY] == "fresh"
    assert not list(shop.rglob("*escaped*")) and not (shop / "notes").exists()


def test_a_symbol_output_keeps_the_hand_written_rest_of_the_file(
    shop: Path, fake_bin: Path
) -> None:
    app = shop / "src/shop/app.py"
    before = app.read_text()
    proc = run_specls("regen", "--generator", "claude", "login", cwd=shop, env=path_env(fake_bin))
    assert proc.returncode == 0, proc.stderr
    after = app.read_text()
    old = before[before.index("def create_session") : before.index("def main")]
    new = after[after.index("def create_session") : after.index("def main")]
    assert "Written by the fake claude" in new
    assert after.replace(new, old) == before
    assert statuses(shop)["src/shop/app.py#create_session"] == "fresh"


def test_front_matter_and_config_pick_a_preset(shop: Path, fake_bin: Path) -> None:
    spec = shop / USERS_SPEC
    spec.write_text("---\ngenerator: codex\n---\n" + spec.read_text())
    proc = run_specls("regen", "user-model", cwd=shop, env=path_env(fake_bin))
    assert proc.returncode == 0, proc.stderr
    assert "Written by the fake codex" in (shop / USERS_PY).read_text()
    edit(shop, "specls.toml", 'generator = "tangle"', 'generator = "gemini"')
    proc = run_specls("regen", "product", cwd=shop, env=path_env(fake_bin))  # no front matter
    assert proc.returncode == 0, proc.stderr
    assert "Written by the fake gemini" in (shop / "src/shop/catalog.py").read_text()
    assert lock_of(shop)["specs/catalog.spec.md#product"]["generator"] == "gemini"


def test_a_preset_is_overridden_in_specls_toml(shop: Path, fake_bin: Path) -> None:
    add_config(shop, '[generators.llm]\ncommand = ["llm", "-m", "tiny-model", "--no-stream"]\n')
    proc = run_specls("regen", "--generator", "llm", "user-model", cwd=shop, env=path_env(fake_bin))
    assert proc.returncode == 0, proc.stderr
    assert 'VALUE = "llm/tiny-model ✓"' in (shop / USERS_PY).read_text()


FAILURES = [
    # (preset, mode, config, expected in stderr)
    (
        "claude",
        "fail",
        "",
        "SPEC301 generator 'claude' failed (exit 3): Loading model… | claude: error: rate"
        " limited (429), try again later (after ",
    ),
    (
        "codex",
        "hang",
        "[generators.codex]\ntimeout = 1\n",
        "SPEC302 generator 'codex' timed out after 1s",
    ),
    ("llm", "silent", "", "SPEC308 generator 'llm' printed nothing (after "),
    ("gemini", "empty", "", f"SPEC308 generator 'gemini' produced an empty {USERS_PY}"),
    ("claude", "empty", "", f"SPEC308 generator 'claude' produced an empty {USERS_PY}"),
    ("aider", "silent", "", "SPEC306 generator 'aider' did not write src/shop/users.py"),
    (
        "codex",
        "outside",
        "",
        "SPEC310 generator 'codex' wrote outside its staging directory (next to it:"
        " escaped.txt); nothing was taken from it",
    ),
    ("claude", "symlink", "", f"SPEC310 generator 'claude' made {USERS_PY} a symbolic link to"),
    ("aider", "huge", "", f"SPEC309 generator 'aider' wrote {USERS_PY} larger than 50 MB"),
    ("gemini", "huge", "", "SPEC309 generator 'gemini' printed more than 50 MB; it was stopped"),
]


@pytest.mark.parametrize(("preset", "mode", "config", "expected"), FAILURES)
def test_a_failing_agent_leaves_every_file_and_the_lock_as_they_were(
    shop: Path, fake_bin: Path, preset: str, mode: str, config: str, expected: str
) -> None:
    if preset == "aider" and mode == "silent":
        (shop / USERS_PY).unlink()  # files mode: nothing written and nothing there before
    add_config(shop, config)
    make_users_stale(shop)
    before = tree_bytes(shop)
    env = path_env(fake_bin, FAKE_AGENT_MODE=mode, FAKE_AGENT_TARGET="/etc/hostname")
    started = time.monotonic()
    proc = run_specls("regen", "--generator", preset, "user-model", cwd=shop, env=env, timeout=120)
    assert time.monotonic() - started < 60
    assert proc.returncode == 1, proc.stderr
    assert f"failed {USER_MODEL}: {expected}" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert tree_bytes(shop) == before
    assert not (shop.parent / "escaped.txt").exists()


def test_an_agent_that_writes_into_the_workspace_is_caught(shop: Path, fake_bin: Path) -> None:
    make_users_stale(shop)
    cart = shop / "src/shop/cart.py"
    before = tree_bytes(shop)
    env = path_env(fake_bin, FAKE_AGENT_MODE="workspace", FAKE_AGENT_TARGET=str(cart))
    proc = run_specls("regen", "--generator", "claude", "user-model", cwd=shop, env=env)
    assert proc.returncode == 1
    assert (
        "SPEC310 files in the workspace changed while generator 'claude' ran: src/shop/cart.py"
        " (it wrote outside its staging directory, or someone else did meanwhile); nothing"
        " was taken from it" in proc.stderr
    )
    after = tree_bytes(shop)
    assert after.pop("src/shop/cart.py") == b"patched in place\n"  # the agent did that
    assert after == {p: b for p, b in before.items() if p != "src/shop/cart.py"}  # not specls


def test_undeclared_files_are_reported_and_ignored(shop: Path, fake_bin: Path) -> None:
    make_users_stale(shop)
    for preset in ("codex", "llm"):
        env = path_env(fake_bin, FAKE_AGENT_MODE="undeclared")
        proc = run_specls("regen", "--force", "--generator", preset, "user-model", cwd=shop,
                          env=env)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert (
            f"warning {USER_MODEL}: SPEC311 generator '{preset}' wrote files it was not asked"
            " for (ignored): notes/extra.md" in proc.stderr
        )
        assert not (shop / "notes").exists()
        assert lock_of(shop)[USER_MODEL]["generator"] == preset
        assert f"Written by the fake {preset}" in (shop / USERS_PY).read_text()


def test_a_preset_whose_program_is_missing_names_it(shop: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    make_users_stale(shop)
    before = tree_bytes(shop)
    proc = run_specls("regen", "--generator", "claude", "user-model", cwd=shop,
                      env=path_env(empty))  # fmt: skip
    assert proc.returncode == 1
    assert (
        f"failed {USER_MODEL}: SPEC307 generator 'claude' needs Claude Code ('claude'), which"
        " is not on PATH: install it, or set command in [generators.claude] of specls.toml"
    ) in proc.stderr
    assert proc.stderr.count("not on PATH") == 1
    assert tree_bytes(shop) == before
    unknown = run_specls("regen", "--generator", "cursor", "user-model", cwd=shop)
    assert unknown.returncode == 2
    assert "unknown generator 'cursor' (known: aider, claude, codex, gemini, llm, tangle" in (
        unknown.stderr
    )


def test_show_prompt_prints_the_prompt_and_runs_nothing(shop: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    before = tree_bytes(shop)
    proc = run_specls("regen", "--show-prompt", "--generator", "gemini", "login", cwd=shop,
                      env=path_env(empty))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("You are regenerating files from one section of a specification.")
    assert "# Section specs/auth.spec.md#login (specs/auth.spec.md)" in text
    assert "## specs/users.spec.md#user-model" in text  # the section it @uses
    assert "## symbol create_session in src/shop/app.py (python)" in text
    assert "def main() -> None:" in text  # the current content of the output's file
    assert "- ```python file=src/shop/app.py#create_session" in text  # markdown protocol
    files_mode = run_specls("regen", "--show-prompt", "--generator", "claude", "login", cwd=shop)
    assert "- the create_session definition in src/shop/app.py" in files_mode.stdout
    data = json.loads(
        run_specls("regen", "--show-prompt", "--format", "json", "login", cwd=shop).stdout
    )
    assert data["unit"] == "specs/auth.spec.md#login"
    assert [(o["key"], o["language"]) for o in data["outputs"]] == [
        ("src/shop/auth.py", "python"),
        ("src/shop/app.py#create_session", "python"),
    ]
    assert [d["ref"] for d in data["dependencies"]] == [USER_MODEL]
    assert tree_bytes(shop) == before


def test_jobs_run_independent_units_at_once_and_dependents_after(
    shop: Path, fake_bin: Path, tmp_path: Path
) -> None:
    log = tmp_path / "agent.log"
    for fake in ("llm",):
        script = fake_bin / fake
        script.write_text(
            script.read_text().replace(
                "import runpy, sys\n",
                "import runpy, sys, time, os\n"
                f"log = open({str(log)!r}, 'a')\n"
                "prompt = sys.stdin.read()\n"
                "unit = prompt.split('# Section ', 1)[1].split(' ', 1)[0]\n"
                "log.write(f'start {unit} {time.time()}\\n'); log.flush()\n"
                "time.sleep(1.5)\n"
                "log.write(f'end {unit} {time.time()}\\n'); log.flush()\n"
                "import io; sys.stdin = io.StringIO(prompt)\n",
            )
        )
    proc = run_specls("regen", "--all", "--force", "--generator", "llm", "--jobs", "2", cwd=shop,
                      env=path_env(fake_bin), timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    times: dict[tuple[str, str], float] = {}
    for line in log.read_text().splitlines():
        kind, unit, at = line.split()
        times[(kind, unit)] = float(at)
    units = {u for _, u in times}
    assert units == {
        "specs/auth.spec.md#login",
        "specs/cart.spec.md#cart",
        "specs/catalog.spec.md#product",
        USER_MODEL,
    }
    # auth#login @uses users#user-model: it starts after that one ended
    assert times[("start", "specs/auth.spec.md#login")] >= times[("end", USER_MODEL)]
    # never more than 2 at once, and some ran at the same time
    spans = [(times[("start", u)], times[("end", u)]) for u in units]
    at_once = [sum(1 for s, e in spans if s <= t < e) for t, _ in spans]
    assert max(at_once) == 2
    assert set(statuses(shop).values()) == {"fresh"}
