"""A small, correct shop plugin: the conformance kit's reference for a passing shop."""
__version__ = "0.1.0"
