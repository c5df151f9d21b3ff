"""bol.com Retailer API v10 returns plugin for Returnhub."""
__version__ = "0.1.0"
