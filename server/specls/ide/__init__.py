"""Editor logic with no LSP types: what a position points at, hover text,
completion, references, rename, the lock rewrite, diffs.

Every function takes an `ide.Snapshot` (workspace, analysis, open buffers)
and plain positions (`specls.text.Position`, UTF-16), and returns plain data;
`specls.lsp` translates to and from the protocol (rust-analyzer's `ide`
crate, STYLE §2).
"""
