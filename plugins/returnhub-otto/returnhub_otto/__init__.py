"""Returnhub plugin for OTTO Market: returns in from Returns v3 (enriched from Orders v4), decisions out."""
__version__ = "0.1.0"
