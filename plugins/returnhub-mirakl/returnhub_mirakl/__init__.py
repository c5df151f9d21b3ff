"""Mirakl marketplaces for Returnhub: the MMP seller returns API, one connection per operator."""
__version__ = "0.1.0"
