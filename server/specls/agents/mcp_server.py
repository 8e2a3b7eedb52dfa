"""`specls mcp`: a Model Context Protocol server (stdio) over the specls library.

An agent that edits code asks it which spec section owns a file, what is
stale, what a section says, what `specls check` finds, and can regenerate a
unit with the same transaction as `specls regen`. Tools: `spec_for_path`,
`status`, `section`, `check`, `regenerate`; resources: each section as
`spec://<doc path>#<id>`.

Trust: external generators run only when whoever *started* the server said
so (`specls mcp --trust`, optionally `--allow NAME`), which lives in the MCP
client's configuration the user wrote; no tool argument can grant it. The
built-in `tangle` runs anywhere (it starts no process).

Each call reads the workspace afresh: an agent edits files between calls,
and a stale snapshot would answer about code that is gone.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import Resource

from specls import __version__
from specls.agents import library
from specls.report import as_json

SCHEME = "spec://"

INSTRUCTIONS = """\
This workspace is spec-driven: Markdown specs are the source, and files they
declare with @generate/@test are build output. Before editing a file, call
spec_for_path: if a section generates it, change that section instead and
call regenerate (or ask the user to run `specls regen`). status() lists what
is stale or edited; section(ref) shows a section; check() lists problems."""


class SpecMCP(MCPServer):
    """The MCP server for one workspace root."""

    def __init__(self, root: Path, *, trusted: bool, allowed: list[str] | None = None) -> None:
        super().__init__(
            name="specls",
            version=__version__,
            instructions=INSTRUCTIONS,
            log_level="WARNING",
        )
        self.root = root
        self.trusted = trusted
        self.allowed = list(allowed or [])
        self._writing = threading.Lock()  # sync tools run in worker threads: one regen at a time
        for fn in (self.spec_for_path, self.status, self.section, self.check, self.regenerate):
            self.add_tool(fn, name=fn.__name__, description=(fn.__doc__ or "").strip())

    # -- tools -------------------------------------------------------------

    def spec_for_path(self, path: str) -> dict[str, Any]:
        """The spec section(s) that own a file or a symbol (`src/x.py` or `src/x.py#Name`),
        with their text, status and spec path. An empty `sections` list means the file
        is hand-written: edit it directly."""
        service = library.open_service(self.root)
        ws, analysis = library.workspace(service), library.analyze(service)
        file_part, _, symbol = path.partition("#")
        rel = library.relative(ws, file_part)
        if rel is None:
            raise ToolError(f"{path} is outside the workspace {ws.root}")
        sections = []
        for owner in library.owners(ws, rel):
            if symbol and owner.symbol not in (None, symbol):
                continue
            us = analysis.units.get(owner.ref)
            output = next((o for o in us.outputs if o.key == owner.key), None) if us else None
            sections.append(
                {
                    "ref": owner.ref,
                    "spec": owner.spec,
                    "output": owner.key,
                    "role": owner.role,
                    "symbol": owner.symbol,
                    "status": output.status.value if output else None,
                    "text": library.section_text(ws, owner.ref),
                }
            )
        return {
            "path": rel,
            "generated": any(s["role"] != "describe" for s in sections),
            "sections": sections,
        }

    def status(self) -> dict[str, Any]:
        """Every generation unit with its status and outputs, stale, edited and
        ungenerated first; orphan lock entries; counts per status."""
        service = library.open_service(self.root)
        analysis = library.analyze(service)
        units = sorted(
            analysis.units.values(),
            key=lambda us: (library.STATUS_ORDER.index(us.status), us.ref),
        )
        return {
            "units": [
                {
                    "ref": us.ref,
                    "status": us.status.value,
                    "spec": us.unit.doc.path,
                    "generator": us.generator,
                    "outputs": [{"key": o.key, "status": o.status.value} for o in us.outputs],
                }
                for us in units
            ],
            "orphans": list(analysis.orphans),
            "counts": analysis.counts(),
        }

    def section(self, ref: str) -> dict[str, Any]:
        """A section by reference (`specs/auth.spec.md#login`, `#login` or `login`): its
        text, the sections and files it uses, and its outputs with their status."""
        service = library.open_service(self.root)
        ws, analysis = library.workspace(service), library.analyze(service)
        found = library.find_section(ws, analysis, ref)
        if not found:
            raise ToolError(f"no section matches {ref}")
        if len(found) > 1:
            raise ToolError(f"{ref} is ambiguous: {', '.join(found)}")
        full = found[0]
        uses, files = library.direct_uses(ws, full)
        us = analysis.units.get(full)
        return {
            "ref": full,
            "spec": full.split("#", 1)[0],
            "text": library.section_text(ws, full),
            "uses": uses,
            "uses_transitively": library.transitive_uses(ws, full),
            "use_files": files,
            "status": us.status.value if us else None,
            "outputs": [{"key": o.key, "status": o.status.value} for o in us.outputs] if us else [],
        }

    def check(self, paths: list[str] | None = None) -> dict[str, Any]:
        """What `specls check --format json` reports, optionally only for these files
        (specs or generated files)."""
        service = library.open_service(self.root)
        ws, analysis = library.workspace(service), library.analyze(service)
        findings = library.findings(analysis)
        if paths:
            wanted = {library.relative(ws, p) for p in paths}
            findings = [f for f in findings if f.path in wanted]
        return {"findings": json.loads(as_json(findings, ""))}

    def regenerate(self, ref: str) -> dict[str, Any]:
        """Regenerate a unit (or every unit of a spec path) in one transaction: all
        outputs and the lock change, or nothing does. External generators run only if
        the user started this server with --trust; hand-edited outputs are refused."""
        with self._writing:  # and the workspace read after the previous one wrote
            service = library.open_service(self.root)
            problem = library.config_problem(service)
            if problem:
                raise ToolError(problem)
            result = library.regenerate(service, [ref], trusted=self.trusted, allowed=self.allowed)
        if not self.trusted and any(f.get("code") == "SPEC303" for f in result["failed"]):
            result["trust"] = (
                "external generators are off: the user starts `specls mcp --trust` (in the"
                " MCP client's configuration) to allow them; tangle always runs"
            )
        return result

    # -- resources ---------------------------------------------------------

    async def list_resources(self) -> list[Resource]:
        service = library.open_service(self.root)
        ws = library.workspace(service)
        out = []
        for ref in library.section_refs(ws):
            doc, section = ws.sections_by_ref[ref]
            out.append(
                Resource(
                    uri=SCHEME + ref,
                    name=ref,
                    title=section.title,
                    description=f"section {section.id} of {doc.path}",
                    mime_type="text/markdown",
                )
            )
        return out

    async def read_resource(  # type: ignore[override]
        self, uri: Any, context: Any = None
    ) -> Iterable[ReadResourceContents]:
        text = str(uri)
        if not text.startswith(SCHEME):
            raise ResourceError(f"not a spec resource: {text}")
        service = library.open_service(self.root)
        body = library.section_text(library.workspace(service), text.removeprefix(SCHEME))
        if body is None:
            raise ResourceNotFoundError(f"no section {text.removeprefix(SCHEME)}")
        return [ReadResourceContents(content=body, mime_type="text/markdown")]


def serve(root: Path, *, trusted: bool, allowed: list[str] | None = None) -> int:
    SpecMCP(root, trusted=trusted, allowed=allowed).run("stdio")
    return 0
