"""specls: the spec is the source, generated code is the build output."""

__version__ = "0.1.0"
