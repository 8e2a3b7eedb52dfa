"""The analysis layers and the CLI know nothing of LSP (DESIGN §5): a `specls
check` must not pay for pygls. Checked statically (imports in the source,
followed through specls modules) and at run time (sys.modules)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLE, REPO

PACKAGE = REPO / "server" / "specls"
CORE = [
    "dialect",
    "code",
    "lock",
    "status",
    "workspace",
    "units",
    "outputs",
    "regen",
    "cli",
    "agents",
]
FORBIDDEN = ("pygls", "lsprotocol", "specls.lsp")
# The one place an LSP import is allowed: `specls serve` starts the server.
ALLOWED_LAZY = {("specls.cli", "cmd_serve")}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(name: str) -> Path | None:
    base = PACKAGE.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports(path: Path) -> list[tuple[str, str | None]]:
    """(imported module, enclosing function or None) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    found: list[tuple[str, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name if function is None else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    mod = ".".join([*base, child.module] if child.module else base)
                else:
                    mod = child.module or ""
                found.append((mod, function))
                found.extend((f"{mod}.{alias.name}", function) for alias in child.names)
            visit(child, inner)

    visit(tree, None)
    return found


def core_files() -> list[Path]:
    files: list[Path] = []
    for name in CORE:
        path = PACKAGE / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")])
    return files


def is_forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_module_imports_no_lsp_code(path: Path) -> None:
    name = module_name(path)
    bad = [
        (mod, fn)
        for mod, fn in imports(path)
        if is_forbidden(mod) and (name, fn) not in ALLOWED_LAZY
    ]
    assert bad == [], f"{name} imports LSP code: {bad}"


def test_no_lsp_code_is_reachable_through_specls_modules() -> None:
    """Follow imports (lazy ones too) from every core module through the package."""
    seen: dict[str, str] = {}  # module -> who imported it
    stack = [(module_name(p), "<core>") for p in core_files()]
    while stack:
        name, via = stack.pop()
        if name in seen:
            continue
        seen[name] = via
        assert not is_forbidden(name), f"{name} is reachable (imported by {via})"
        path = module_path(name)
        if path is None:
            continue
        for mod, fn in imports(path):
            if (name, fn) in ALLOWED_LAZY or not mod.startswith(("specls", "pygls", "lsprotocol")):
                continue
            assert not is_forbidden(mod), f"{mod} is imported by {name}"
            stack.append((mod, name))


def test_the_cli_runs_check_without_loading_pygls(tmp_path: Path) -> None:
    modules = ", ".join(f"specls.{m}" for m in CORE)
    script = (
        f"import sys, {modules}\n"
        "from specls.cli import main\n"
        f"code = main(['check', {str(EXAMPLE)!r}])\n"
        "main(['status', '--format', 'json', " + repr(str(EXAMPLE)) + "])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')"
        " or m.startswith('specls.lsp'))\n"
        "assert not loaded, loaded\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_importing_the_cli_loads_no_pygls() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", 'import specls.cli, sys; assert "pygls" not in sys.modules'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
