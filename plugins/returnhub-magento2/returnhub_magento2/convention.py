"""Magento Open Source has no RMA (research §2.8): Returnhub writes an order comment, and reads the
merchant's decision back from the order: a credit memo made after it means accepted (refunded); an order
comment '<keyword><decision>' or a mapped custom order status says any decision. Never a credit memo made."""
from __future__ import annotations

import re

from hub.model import Decision, LineDecision, Return
from returnhub_magento2 import mapping
from returnhub_magento2.client import MagentoClient

PREFIX = "order/"


def shop_return_id(order: dict, reference: str) -> str:
    """``order/<order entity id>/<reference>``: the 'return' is Returnhub's comment on the order."""
    return f"{PREFIX}{order['entity_id']}/{reference}"


def order_of(shop_return_id: str) -> str:
    return shop_return_id[len(PREFIX):].split("/", 1)[0]


def comments(client: MagentoClient, order_id: str) -> list[dict]:
    """The order's status-history comments, oldest first."""
    items = client.get(f"/orders/{order_id}/comments").get("items") or []
    return sorted(items, key=lambda c: int(c.get("entity_id") or 0))


def existing(client: MagentoClient, order: dict, reference: str) -> str | None:
    tag = mapping.marker(reference)
    if any(str(c.get("comment") or "").startswith(tag) for c in comments(client, order["entity_id"])):
        return shop_return_id(order, reference)
    return None


def create(client: MagentoClient, ret: Return, order: dict) -> str:
    """Add Returnhub's comment (not visible to the customer, no e-mail) keeping the order's status."""
    allocations = mapping.allocate(ret.lines, order, shipped_only=False)
    history = {"comment": mapping.describe(ret, allocations), "is_customer_notified": 0, "is_visible_on_front": 0,
               "parent_id": int(order["entity_id"])}
    if order.get("status"):
        history["status"] = order["status"]
    client.post(f"/orders/{order['entity_id']}/comments", {"statusHistory": history})
    return shop_return_id(order, ret.reference)


def credit_memos(client: MagentoClient, order_id: str) -> list[dict]:
    """The order's credit memos (made by the merchant: Returnhub never makes one)."""
    return list(client.search("/creditmemos", [("order_id", order_id, "eq")]))


def refunded(memos: list[dict], since: str) -> dict[int, int]:
    """Quantity per order item refunded by the credit memos created at or after ``since``."""
    out: dict[int, int] = {}
    for memo in memos:
        if str(memo.get("created_at") or "") < since:
            continue
        for item in memo.get("items") or []:
            out[int(item["order_item_id"])] = out.get(int(item["order_item_id"]), 0) + int(float(item.get("qty") or 0))
    return out


def derive(ret: Return, history: list[dict], memos: list[dict], settings: dict) -> list[LineDecision] | None:
    """Per-line decisions from what the merchant did on the order after Returnhub's comment (None: nothing yet).

    The latest keyword comment or mapped status wins for the whole return (``kept`` with a refund stays
    kept); without one, lines whose items were refunded are accepted with the refunded quantity.
    """
    tag = mapping.marker(ret.reference)
    start = next((i for i, c in enumerate(history) if str(c.get("comment") or "").startswith(tag)), None)
    if start is None:
        return None
    ours = history[start]
    refunds = refunded(memos, str(ours.get("created_at") or ""))
    said = None
    keyword = re.compile(re.escape(settings["keyword_prefix"].lower()) + r"(" + "|".join(d.value for d in Decision)
                         + r")\b(.*)")
    for c in history[start + 1:]:
        text = str(c.get("comment") or "").lower()
        found = keyword.search(text)
        if found and (not re.search(r"\[?returnhub-\d+-", found.group(2)) or ret.reference.lower() in found.group(2)):
            said = (Decision(found.group(1)), f"comment {settings['keyword_prefix']}{found.group(1)}")
        elif c.get("status") and c.get("status") in settings["status_map"]:
            said = (Decision(settings["status_map"][c["status"]]), f"order status {c['status']}")
    recorded = mapping.recorded_lines(ours.get("comment"))
    left = dict(refunds)
    out = []
    for line in ret.lines:
        items = [(item, qty) for lid, item, qty in recorded if lid == line.external_line_id]
        if said is not None:
            out.append(LineDecision(line.external_line_id, said[0], line.quantity, said[1], said[1]))
            continue
        got = 0
        for item, qty in items:
            take = min(qty, left.get(item, 0))
            left[item] = left.get(item, 0) - take
            got += take
        if got:
            out.append(LineDecision(line.external_line_id, Decision.ACCEPTED, min(got, line.quantity),
                                    "refunded by a credit memo", "credit_memo"))
    return out or None
