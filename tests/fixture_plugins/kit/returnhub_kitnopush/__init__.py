"""Broken on purpose: declares push_decision but implements no push_decision()."""
__version__ = "0.1.0"
