"""Broken on purpose: its own HTTP client, which gives up on 429."""
__version__ = "0.1.0"
