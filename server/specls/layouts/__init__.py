"""Spec layouts as plug-ins (Spec Kit, Kiro, OpenSpec, plain `*.spec.md`).

Each layout says which files are its specs, which symbols it scans
(requirements, criteria, tasks, scenarios), how references expand, its
checks, what may be renamed and its completion triggers. Each spec file has
exactly one layout; adding a layout is one module and one registry line.
"""
