"""Finding the Mijnwebwinkel order that holds a marketplace order number, where the merchant's channel tool
keeps it (a setting): a comment, the reference, or the order number itself."""
from __future__ import annotations

import re
from datetime import timedelta

from hub.errors import PermanentError
from hub.model import Return


def wanted(settings: dict, ret: Return) -> str:
    """The value searched for: the lookup template filled with the marketplace order id."""
    return settings["order_lookup_template"].format(marketplace_order_id=ret.marketplace_order_id).strip()


def holds(order: dict, where: str, value: str) -> bool:
    """Whether ``order`` keeps ``value`` at ``where``: the whole reference, or a whole word of a comment
    (so 'MO1' does not match an order that mentions 'MO12')."""
    if where == "reference":
        return (order.get("reference") or "").strip().lower() == value.lower()
    comments = order.get("comments") or {}
    text = comments.get("internal" if where == "internal_comment" else "customer") or ""
    return re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text, re.IGNORECASE) is not None


def find(client, settings: dict, ret: Return) -> str | None:
    """The order number (as text) of the one order holding the marketplace order id; None when none does."""
    value, where = wanted(settings, ret), settings["order_lookup"]
    if where == "number":
        if not value.isdigit():
            return None  # a Mijnwebwinkel order number is an integer; this one cannot exist
        order = client.get_or_none(f"/orders/{value}")
        return str(order["number"]) if order and not order.get("credited_order_number") else None
    since = (ret.requested_at - timedelta(days=settings["lookup_days"])).date().isoformat()
    hits = [o for o in client.pages("/orders", limit=settings["page_size"], max_pages=settings["lookup_max_pages"],
                                    start_date=since, ordering="desc")
            if not o.get("credited_order_number") and holds(o, where, value)]
    numbers = sorted({str(o["number"]) for o in hits})
    if len(numbers) > 1:
        raise PermanentError(f"{len(numbers)} Mijnwebwinkel orders hold {value!r} in {where}: {', '.join(numbers)}")
    return numbers[0] if numbers else None
