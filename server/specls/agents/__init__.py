"""specls for the agents that edit code: `specls mcp` and `specls guard`."""
