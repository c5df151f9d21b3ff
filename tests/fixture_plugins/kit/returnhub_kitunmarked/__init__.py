"""Broken on purpose: its API key is not marked secret."""
__version__ = "0.1.0"
