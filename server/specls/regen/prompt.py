"""The prompt for a unit: JSON for generators that read it, plain text for agent CLIs.

Both are assembled in memory from the workspace snapshot and handed to the
generator through stdin or argv; they are never written to the workspace
(the prompt is scrap, the spec is the source). `specls regen --show-prompt`
prints either form and runs nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Literal

from specls import code
from specls.units import Graph, Unit, owned_sections, subtree
from specls.workspace import Workspace

ReadCurrent = Callable[[str], str | None]
OutputMode = Literal["files", "markdown"]

INSTRUCTIONS = """\
You are regenerating files from one section of a specification.
The spec is the source of truth: the code must do what the section says, no more.
Change only the files listed under "Outputs"; do not create, rename or delete any other file.
Keep the existing code where the spec does not ask for a change (minimal diffs)."""


def prompt_data(
    ws: Workspace, graph: Graph, unit: Unit, current: ReadCurrent, output: OutputMode = "files"
) -> dict[str, object]:
    """What an agent needs: the section, what it uses (transitively), the current outputs."""
    deps = []
    for ref in graph.closure(unit.ref):
        found = ws.section(ref)
        if found:
            doc, section = found
            deps.append({"ref": ref, "text": "\n".join(s.own_text for s in subtree(doc, section))})
    return {
        "unit": unit.ref,
        "title": unit.title,
        "spec": unit.doc.path,
        "section": "\n".join(s.own_text for s in owned_sections(unit.doc, unit.section)),
        "dependencies": deps,
        "use_files": {f: current(f) for f in sorted(graph.use_files(unit))},
        "outputs": [
            {
                "key": o.key,
                "path": o.path,
                "symbol": o.symbol,
                "language": code.language_for_path(o.path),
                "current": current(o.path),
            }
            for o in unit.outputs
        ],
        "output_mode": output,
    }


def _fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in `text`."""
    run = best = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    return "`" * max(3, best + 1)


def _block(text: str, info: str = "") -> str:
    fence = _fence(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def _protocol(data: dict[str, object], output: OutputMode) -> str:
    outputs = data["outputs"]
    assert isinstance(outputs, list)
    if output == "files":
        lines = ["Write exactly these files, relative to the current directory, and nothing else:"]
        for o in outputs:
            what = f"the {o['symbol']} definition in " if o["symbol"] else ""
            lines.append(f"- {what}{o['path']}")
        lines.append(
            "Where only a symbol is generated, change only that definition and keep the rest"
            " of the file as it is. Reply with a short summary; the files are the result."
        )
        return "\n".join(lines)
    lines = [
        "Do not write any file. Reply in Markdown with one fenced code block per output,"
        " its info string being the language and file=PATH, exactly as below:"
    ]
    for o in outputs:
        target = f"{o['path']}#{o['symbol']}" if o["symbol"] else o["path"]
        lines.append(f"- ```{o['language'] or ''} file={target}")
    lines.append(
        "A file=PATH#Symbol block holds only that definition. Paths are relative to the"
        " workspace root. Anything outside the blocks is ignored."
    )
    return "\n".join(lines)


def prompt_text(data: dict[str, object], output: OutputMode | None = None) -> str:
    """The plain-text prompt for CLIs that take one (they do not read our JSON)."""
    mode: OutputMode = output or data.get("output_mode", "files")  # type: ignore[assignment]
    parts = [INSTRUCTIONS, "", f"# Section {data['unit']} ({data['spec']})", "", _block(
        str(data["section"]), "markdown")]  # fmt: skip
    deps = data["dependencies"]
    assert isinstance(deps, list)
    if deps:
        parts += ["", "# Sections it uses (context, do not implement them)"]
        for d in deps:
            parts += ["", f"## {d['ref']}", "", _block(d["text"], "markdown")]
    use_files = data["use_files"]
    assert isinstance(use_files, dict)
    if use_files:
        parts += ["", "# Files it uses (context, do not change them)"]
        for path, text in use_files.items():
            parts += ["", f"## {path}", ""]
            parts.append(_block(text, "") if text is not None else "(missing)")
    outputs = data["outputs"]
    assert isinstance(outputs, list)
    parts += ["", "# Outputs"]
    for o in outputs:
        what = f"symbol {o['symbol']} in {o['path']}" if o["symbol"] else o["path"]
        lang = o["language"] or "text"
        parts += ["", f"## {what} ({lang})", ""]
        current = o["current"]
        parts.append(
            "Current content:\n" + _block(current, o["language"] or "")
            if current
            else "Does not exist yet."
        )
    parts += ["", "# How to answer", "", _protocol(data, mode), ""]
    return "\n".join(parts)


def show_prompts(
    ws: Workspace,
    read: ReadCurrent,
    units: list[Unit],
    generator: str | None,
    fmt: Literal["text", "json"],
) -> str:
    """`specls regen --show-prompt`: each unit's prompt as its generator would get it."""
    import json

    from specls.regen.presets import BUILTIN, resolve_generator
    from specls.regen.tangle import GenerationError

    graph = Graph(ws)
    texts: list[str] = []
    objects: list[dict[str, object]] = []
    for unit in units:
        name = generator or unit.doc.generator or ws.config.generator
        mode: OutputMode = "files"
        if name != BUILTIN:
            with contextlib.suppress(GenerationError):
                mode = resolve_generator(ws.config, name).output
        data = prompt_data(ws, graph, unit, read, mode)
        objects.append(data)
        texts.append(prompt_text(data))
    if fmt == "json":
        return json.dumps(objects[0] if len(objects) == 1 else objects, indent=2) + "\n"
    return "\n".join(texts)
