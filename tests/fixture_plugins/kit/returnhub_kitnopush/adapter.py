"""Flaw: the manifest says push_decision: true, but the adapter only reads."""
from returnhub_kitmarket.adapter import KitMarketReader


class Adapter(KitMarketReader):
    slug = "kitnopush"
