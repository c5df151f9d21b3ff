"""The good kitmarket adapter: the flaw is in the emulator (emulator.py), which the adapter trusts."""
from returnhub_kitmarket.adapter import KitMarketplace


class Adapter(KitMarketplace):
    slug = "kitnofield"
