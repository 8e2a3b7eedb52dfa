"""Generated fixture workspaces for the writer stress tests, and black-box probes.

A workspace of `files × per_file` tangle units: unit `uNN` in
`specs/partK.spec.md` generates `src/gen/uNN.py` (every fourth unit a second
file too), and some units `@use` the unit before them. Each unit's fence
carries a *variant* number, so changing a unit's variant changes its spec text
and what tangle writes.

The probes read only what a user can read: `spec.lock` (its documented JSON
format, DESIGN §2), the files, and the CLI's JSON output.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TMP_SUFFIX = ".specls-tmp"


def unit_id(i: int) -> str:
    return f"u{i:02d}"


@dataclass(frozen=True)
class Layout:
    files: int = 5
    per_file: int = 4

    @property
    def count(self) -> int:
        return self.files * self.per_file

    def spec_of(self, i: int) -> str:
        return f"specs/part{i // self.per_file}.spec.md"

    def ref(self, i: int) -> str:
        return f"{self.spec_of(i)}#{unit_id(i)}"

    def outputs(self, i: int) -> list[str]:
        outs = [f"src/gen/{unit_id(i)}.py"]
        if i % 4 == 3:
            outs.append(f"src/gen/{unit_id(i)}_extra.py")
        return outs

    def uses_previous(self, i: int) -> bool:
        return i % self.per_file == self.per_file - 1

    def spec_texts(self, variants: Mapping[int, int]) -> dict[str, str]:
        """Spec file → text, with unit i at variant `variants[i]` (0 when absent)."""
        texts: dict[str, str] = {}
        for f in range(self.files):
            parts = [f"# Part {f} ✓\n"]
            for i in range(f * self.per_file, (f + 1) * self.per_file):
                v = variants.get(i, 0)
                lines = [f"\n## Unit {i} {{#{unit_id(i)}}}"]
                lines.append(" ".join(f"[@generate](../{out})" for out in self.outputs(i)))
                if self.uses_previous(i):
                    lines.append(f"[@use](#{unit_id(i - 1)})")
                lines.append(f"\nUnit {i} does one thing (variant {v}, café 中文).\n")
                for out in self.outputs(i):
                    name = out.rsplit("/", 1)[-1]
                    lines.append(f"```python file=../{out}")
                    lines.append(f'"""{name}: generated from {self.ref(i)}, variant {v}."""')
                    lines.append("")
                    lines.append(f"VALUE = {v}")
                    lines.append(f'NAME = "{unit_id(i)} ✓"')
                    lines.append("```\n")
                parts.append("\n".join(lines))
            texts[f"specs/part{f}.spec.md"] = "".join(parts)
        return texts

    def write_specs(self, root: Path, variants: Mapping[int, int]) -> list[str]:
        """Write the spec files that changed; returns their paths."""
        changed = []
        for rel, text in self.spec_texts(variants).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = text.encode("utf-8")
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                changed.append(rel)
        return changed


def create(root: Path, layout: Layout, variants: Mapping[int, int] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "specls.toml").write_text(
        'include = ["specs/**/*.spec.md"]\ngenerator = "tangle"\n', encoding="utf-8"
    )
    layout.write_specs(root, variants or {})
    return root


def specls(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "specls", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
    )


def spawn(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "specls", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
    )


def output_hash(data: bytes) -> str:
    """An output's hash as the lock records it: sha256, line endings ignored (DESIGN §2)."""
    return "sha256:" + hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def read_lock(root: Path) -> dict[str, Any]:
    path = root / "spec.lock"
    if not path.exists():
        return {}
    units: dict[str, Any] = json.loads(path.read_text("utf-8")).get("units", {})
    return units


def lock_untrue(root: Path, lock: Mapping[str, Any]) -> list[str]:
    """Every lock output hash that is not the hash of the file on disk."""
    wrong = []
    for ref, entry in sorted(lock.items()):
        for out, want in sorted(entry.get("outputs", {}).items()):
            path = root / out.split("#", 1)[0]
            if "#" in out:
                continue  # symbol outputs: the fixtures here have none
            got = output_hash(path.read_bytes()) if path.exists() else None
            if got != want:
                wrong.append(f"{ref}: lock says {out} is {want[:19]}…, disk has {got and got[:19]}")
    return wrong


def temp_files(root: Path) -> list[str]:
    found = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(TMP_SUFFIX):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(found)


def check_json(root: Path) -> tuple[int, list[dict[str, Any]], str]:
    proc = specls("check", "--format", "json", cwd=root)
    assert "Traceback" not in proc.stderr, proc.stderr
    try:
        findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    except ValueError:
        raise AssertionError(
            f"check --format json printed no JSON (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        ) from None
    return proc.returncode, findings, proc.stderr


def status_json(root: Path) -> list[dict[str, Any]]:
    proc = specls("status", "--format", "json", cwd=root)
    assert "Traceback" not in proc.stderr, proc.stderr
    try:
        outputs: list[dict[str, Any]] = json.loads(proc.stdout)["outputs"]
    except (ValueError, KeyError):
        raise AssertionError(
            f"status --format json printed no status (exit {proc.returncode}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        ) from None
    return outputs


def describe(findings: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        f"{f.get('code')} {f.get('unit') or f.get('path')}"
        f"{' ' + f['output'] if f.get('output') else ''}: {f.get('message')}"
        for f in findings
    ]
