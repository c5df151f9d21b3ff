"""Broken on purpose: puts the API key into a job's arguments."""
__version__ = "0.1.0"
