"""Creating a merchant's connection in tests, benchmarks and the kit, settings sealed as the UI stores them."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from hub.connections import settings_for_storage
from hub.db import Connection, Merchant


def create_connection(hub, *, marketplace: str, marketplace_settings: dict | None = None, shop: str,
                      shop_settings: dict | None = None, merchant: str = "Merchant A", name: str | None = None,
                      enabled: bool = True, webhook_token: str | None = None) -> int:
    """A connection of ``merchant`` (created when new) between two plugins; its id.

    Settings go through the plugins' schemas and secret sealing, as the web form and the API do; a
    side given as ``None`` (a kit run of one plugin) is stored empty.
    """
    def sealed(kind: str, slug: str, settings: dict | None) -> dict:
        if settings is None:
            return {}
        cls = hub.registry.marketplace(slug) if kind == "marketplace" else hub.registry.shop(slug)
        return settings_for_storage(hub, cls, settings)

    with hub.session() as s:
        merchant_id = s.scalar(select(Merchant.id).where(Merchant.name == merchant))
        if merchant_id is None:
            row = Merchant(name=merchant)
            s.add(row)
            s.flush()
            merchant_id = row.id
        conn = Connection(merchant_id=merchant_id, name=name or f"{marketplace} → {shop}",
                          marketplace=marketplace, shop=shop,
                          marketplace_settings=sealed("marketplace", marketplace, marketplace_settings),
                          shop_settings=sealed("shop", shop, shop_settings),
                          returns_enabled=enabled, webhook_token=webhook_token or secrets.token_urlsafe(16))
        s.add(conn)
        s.flush()
        return conn.id
