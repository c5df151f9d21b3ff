"""Links into the shop's back office, where the shop plugin can build one.

A shop adapter may offer ``order_url(shop_order_id) -> str | None`` (and ``return_url(shop_return_id)``);
the core calls it with the connection's settings and shows the link only when it gives an https or
http address. Plugins without the method simply get no link.
"""
from __future__ import annotations

import logging

from hub.connections import build_adapter

log = logging.getLogger(__name__)


def _call(hub, conn, method: str, value: str | None) -> str | None:
    cls = hub.registry.shops.get(conn.shop)
    if not value or cls is None or not callable(getattr(cls, method, None)):
        return None
    adapter = build_adapter(hub, conn, "shop")
    try:
        url = getattr(adapter, method)(value)
    except Exception as exc:  # a plugin bug must not break the return's page
        log.warning("shop plugin %s: %s failed: %s", conn.shop, method, type(exc).__name__)
        return None
    finally:
        adapter.close()
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def shop_order_link(hub, row) -> str | None:
    """The shop's page of the return's order, or None."""
    return _call(hub, row.connection, "order_url", row.shop_order_id)
