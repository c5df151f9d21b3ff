"""Returnhub shop plugin for Lightspeed eCom (C-Series)."""
__version__ = "0.1.0"
