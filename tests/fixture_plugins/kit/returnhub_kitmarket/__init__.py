"""A small, correct marketplace plugin: the conformance kit's reference for a passing plugin."""
__version__ = "0.1.0"
