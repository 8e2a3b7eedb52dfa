"""Generators and the transaction that applies their outputs."""
