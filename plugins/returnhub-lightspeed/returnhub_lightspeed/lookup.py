"""Finding the Lightspeed order that holds a marketplace order number, where the merchant's channel tool
keeps it (a setting): the memo, the customer comment, or the order number itself."""
from __future__ import annotations

import re
from datetime import timedelta

from hub.errors import PermanentError
from hub.model import Return


def wanted(settings: dict, ret: Return) -> str:
    """The value searched for: the lookup template filled with the marketplace order id."""
    return settings["order_lookup_template"].format(marketplace_order_id=ret.marketplace_order_id).strip()


def holds(order: dict, where: str, value: str) -> bool:
    """Whether ``order`` keeps ``value`` at ``where``: the whole number, or a whole word of a text field
    (so 'MO1' does not match an order that mentions 'MO12')."""
    text = str(order.get(where) or "")
    if where == "number":
        return text.strip().lower() == value.lower()
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text, re.IGNORECASE) is not None


def find(client, settings: dict, ret: Return) -> str | None:
    """The id (as text) of the one order holding the marketplace order id; None when none does (yet)."""
    value, where = wanted(settings, ret), settings["order_lookup"]
    since = (ret.requested_at - timedelta(days=settings["lookup_days"])).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    hits = {str(o["id"]) for o in client.pages("/orders", "orders", limit=settings["page_size"],
                                                  max_pages=settings["lookup_max_pages"], created_at_min=since)
            if holds(o, where, value)}
    if len(hits) > 1:
        raise PermanentError(f"{len(hits)} Lightspeed orders hold {value!r} in {where}: {', '.join(sorted(hits))}")
    return hits.pop() if hits else None
