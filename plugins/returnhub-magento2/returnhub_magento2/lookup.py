"""Finding the Magento order a marketplace order became: by increment id, an order field, an extension
attribute or a status-history comment (the last two by scanning recent orders, newest first)."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from hub.errors import PermanentError
from hub.model import Return
from returnhub_magento2.client import MagentoClient


def lookup_value(settings: dict, ret: Return) -> str:
    """The value the settings' template makes of the marketplace order id."""
    return settings["order_lookup_template"].format(marketplace_order_id=ret.marketplace_order_id)


def matches(settings: dict, order: dict, value: str) -> bool:
    """Whether ``order`` carries ``value`` where the lookup setting says (exact, case-insensitive)."""
    strategy, field, want = settings["order_lookup"], settings["order_lookup_field"], value.strip().lower()
    if strategy == "increment_id":
        return str(order.get("increment_id") or "").lower() == want
    if strategy == "attribute":
        return str(order.get(field) or "").strip().lower() == want
    if strategy == "extension_attribute":
        return str((order.get("extension_attributes") or {}).get(field) or "").strip().lower() == want
    word = re.compile(rf"(?<![\w-]){re.escape(want)}(?![\w-])")
    return any(word.search(str(h.get("comment") or "").lower()) for h in order.get("status_histories") or [])


def find_order(client: MagentoClient, settings: dict, ret: Return) -> dict | None:
    """The one order for ``ret`` (None when not there yet); PermanentError when several match."""
    value = lookup_value(settings, ret)
    strategy = settings["order_lookup"]
    if strategy in ("increment_id", "attribute"):
        field = "increment_id" if strategy == "increment_id" else settings["order_lookup_field"]
        candidates = client.search("/orders", [(field, value, "eq")], max_pages=1)
    else:
        since = (ret.requested_at - timedelta(days=settings["lookup_days"])).strftime("%Y-%m-%d %H:%M:%S")
        candidates = client.search("/orders", [("created_at", since, "gteq")], sort=("created_at", "DESC"))
    hits = [o for o in candidates if matches(settings, o, value)]
    if len({o["entity_id"] for o in hits}) > 1:
        raise PermanentError(f"{len(hits)} Magento orders match {strategy} {value!r}: "
                             + ", ".join(str(o.get("increment_id")) for o in hits))
    return hits[0] if hits else None


def with_skus(client: MagentoClient, settings: dict, ret: Return) -> Return:
    """``ret`` with a SKU on every line that has only an EAN, from the products whose EAN attribute has it
    (one products search); lines whose EAN no product has keep no SKU and are named by the allocation."""
    eans = sorted({line.ean for line in ret.lines if not line.sku and line.ean})
    if not eans:
        return ret
    attribute, by_ean = settings["ean_attribute"], {}
    for product in client.search("/products", [(attribute, eans, "in")]):
        for attr in product.get("custom_attributes") or []:
            if attr.get("attribute_code") == attribute and str(attr.get("value")) in eans:
                by_ean.setdefault(str(attr["value"]), product["sku"])
    lines = [replace(line, sku=by_ean.get(line.ean)) if not line.sku and line.ean else line for line in ret.lines]
    return replace(ret, lines=lines)
