"""The example shop: hand-written package marker."""
