"""Generator presets: the agent CLIs people already use, by name, with no configuration.

`generator: claude` in front matter, `generator = "codex"` in specls.toml or
`specls regen --generator aider REF` pick a preset; a `[generators.NAME]`
table overrides any of its fields (`command`, `output`, `stdin`, `timeout`,
`env`), so a team can pin a model or a flag without restating the rest.

Each argv follows the CLI's own documentation of its headless mode (the
versions read are listed in README, "Agents"). The prompt goes on stdin
whenever the CLI reads it there, because an argv element is limited to
128 KiB on Linux and a prompt carries the current outputs.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from specls.config import Config, GeneratorConfig
from specls.findings import Code
from specls.regen.tangle import GenerationError

BUILTIN = "tangle"


@dataclass(frozen=True)
class Preset:
    name: str
    title: str  # the product, for messages and README
    config: GeneratorConfig


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        # Claude Code: `claude -p` runs one prompt headless; with no prompt argument it
        # reads the prompt from stdin. acceptEdits lets it write the files in its cwd
        # (the staging directory) without asking.
        Preset(
            "claude",
            "Claude Code",
            GeneratorConfig(
                command=[
                    "claude",
                    "-p",
                    "--output-format",
                    "text",
                    "--permission-mode",
                    "acceptEdits",
                ],
                output="files",
                stdin="text",
            ),
        ),
        # Codex CLI: `codex exec` is the non-interactive mode; `-` reads the prompt from
        # stdin; the staging directory is not a git repository, hence the check skip;
        # workspace-write lets it edit the files there.
        Preset(
            "codex",
            "Codex CLI",
            GeneratorConfig(
                command=[
                    "codex",
                    "exec",
                    "--sandbox",
                    "workspace-write",
                    "--skip-git-repo-check",
                    "--color",
                    "never",
                    "-",
                ],
                output="files",
                stdin="text",
            ),
        ),
        # Aider: `--message` does one instruction on the files named on the command line,
        # applies the edits and exits; no git, no repository map and no history files
        # (the staging directory is scrap, and what it writes there besides the outputs is
        # reported).
        Preset(
            "aider",
            "Aider",
            GeneratorConfig(
                command=[
                    "aider",
                    "--message",
                    "{prompt}",
                    "--yes-always",
                    "--no-git",
                    "--no-auto-commits",
                    "--no-pretty",
                    "--no-stream",
                    "--map-tokens",
                    "0",
                    "--chat-history-file",
                    os.devnull,
                    "--input-history-file",
                    os.devnull,
                    "{outputs}",
                ],
                output="files",
                stdin="none",
            ),
        ),
        # Gemini CLI: `-p` is headless mode, and its text is appended to what stdin
        # carries; it prints the answer, which holds the `file=` blocks.
        Preset(
            "gemini",
            "Gemini CLI",
            GeneratorConfig(
                command=[
                    "gemini",
                    "--output-format",
                    "text",
                    "-p",
                    "Follow the instructions above.",
                ],
                output="markdown",
                stdin="text",
            ),
        ),
        # llm: text piped to `llm` is the prompt; any model through `-m` (override
        # `command` in specls.toml); it prints Markdown.
        Preset(
            "llm",
            "llm",
            GeneratorConfig(command=["llm", "--no-stream"], output="markdown", stdin="text"),
        ),
    )
}


def resolve_generator(config: Config, name: str) -> GeneratorConfig:
    """The effective configuration of generator `name`: the preset with the user's overrides."""
    user = config.generators.get(name)
    preset = PRESETS.get(name)
    if user is None and preset is None:
        known = ", ".join(sorted([BUILTIN, *PRESETS, *config.generators]))
        raise GenerationError(
            f"unknown generator '{name}' (known: {known}; define it in specls.toml"
            f" as [generators.{name}])",
            Code.GENERATOR_UNKNOWN,
        )
    if preset is None:
        assert user is not None
        if not user.command:
            raise GenerationError(
                f"generator '{name}' has no command (set command in [generators.{name}])",
                Code.GENERATOR_UNKNOWN,
            )
        return user
    if user is None:
        return preset.config
    update = {field: getattr(user, field) for field in user.model_fields_set}
    if "env" in update:
        update["env"] = {**preset.config.env, **user.env}
    if not update.get("command", True):
        del update["command"]
    return preset.config.model_copy(update=update)


def find_program(name: str, argv: list[str], env: dict[str, str]) -> str:
    """The executable `argv[0]` names, or a SPEC307 error that names the program."""
    program = argv[0]
    found = shutil.which(program, path=env.get("PATH", os.defpath))
    if found is None:
        preset = PRESETS.get(name)
        what = f"{preset.title} ('{program}')" if preset else f"'{program}'"
        raise GenerationError(
            f"generator '{name}' needs {what}, which is not on PATH: install it, or set"
            f" command in [generators.{name}] of specls.toml",
            Code.GENERATOR_NOT_FOUND,
        )
    return found
