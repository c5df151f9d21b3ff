"""Returnhub marketplace plugin for Allegro (REST API): customer returns, refunds, refund rejections."""
__version__ = "0.1.0"
