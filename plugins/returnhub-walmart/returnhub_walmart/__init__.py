"""Walmart Marketplace (US) Returns API for Returnhub: return orders in, refunds (full or partial) out."""
__version__ = "0.1.0"
