"""Broken on purpose: a new external_id on every fetch."""
__version__ = "0.1.0"
