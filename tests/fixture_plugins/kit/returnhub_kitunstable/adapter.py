"""Flaw: the external id carries a random part, so every fetch looks like new returns."""
import uuid

from returnhub_kitmarket.adapter import KitMarketplace


class Adapter(KitMarketplace):
    slug = "kitunstable"

    def canonical(self, r):
        data = super().canonical(r)
        data["external_id"] = f"{r['id']}-{uuid.uuid4().hex[:8]}"
        return data
