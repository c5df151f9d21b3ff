"""Mijnwebwinkel (MyOnlineStore Connect API) shop plugin for Returnhub."""
__version__ = "0.1.0"
