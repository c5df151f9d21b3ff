"""Miravia marketplace plugin for Returnhub."""
__version__ = "0.1.0"
