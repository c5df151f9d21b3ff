"""Broken on purpose: its emulator leaves out a field the API description requires."""
__version__ = "0.1.0"
