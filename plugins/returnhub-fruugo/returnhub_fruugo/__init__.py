"""Fruugo Order API (XML, HTTP Basic) for Returnhub: announced returns in, return confirmations out."""
__version__ = "0.1.0"
