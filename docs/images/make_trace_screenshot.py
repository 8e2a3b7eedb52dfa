"""Regenerate docs/images/trace-matrix.png: the HTML matrix of a demo workspace
(examples/shop plus test comments, a new requirement and a spec edit), shot
in headless Chromium (`apt-get install chromium`).

    .venv/bin/python docs/images/make_trace_screenshot.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def demo(root: Path) -> None:
    shutil.copytree(REPO / "examples" / "shop", root, dirs_exist_ok=True)
    req = root / "specs" / "requirements.spec.md"
    req.write_text(
        req.read_text(encoding="utf-8").replace(
            "- **FR-004**",
            "- **FR-005**: The system MUST send a receipt by e-mail.\n- **FR-004**",
        ),
        encoding="utf-8",
    )
    (root / "tests" / "test_cart.py").write_text(
        "from shop.cart import Cart\n\n\n"
        "def test_total_is_exact() -> None:\n"
        "    # covers: FR-003, SC-001\n"
        '    assert Cart("ada").total_cents() == 0\n',
        encoding="utf-8",
    )
    (root / "tests" / "test_auth.py").write_text(
        "def test_login() -> None:\n    # FR-002: a registered user logs in\n    ...\n",
        encoding="utf-8",
    )
    users = root / "specs" / "users.spec.md"
    users.write_text(
        users.read_text(encoding="utf-8").replace("has a login", "has a unique login"),
        encoding="utf-8",
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "shop"
        demo(root)
        page = Path(tmp) / "trace.html"
        with page.open("w", encoding="utf-8") as out:
            subprocess.run(
                [sys.executable, "-m", "specls", "trace", "--format", "html"],
                cwd=root,
                stdout=out,
                check=True,
            )
        shot = HERE / "trace-matrix.png"
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                "--window-size=1280,620",
                f"--screenshot={shot}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        print(f"wrote {shot.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
