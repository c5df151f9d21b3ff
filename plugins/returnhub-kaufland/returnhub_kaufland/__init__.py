"""Kaufland Marketplace Seller API v2 for Returnhub: returns in, per-unit decisions out, push notifications."""
__version__ = "0.1.0"
