"""Returnhub plugin for Amazon Selling Partner API returns (reports in, no decisions out)."""
__version__ = "0.1.0"
