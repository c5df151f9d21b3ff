"""Magento 1 has no RMA (research §3): the 'return' is Returnhub's marked order comment; the merchant's decision
is a later '<keyword><decision>' comment or a mapped order status, and a credit memo the merchant made after the
comment means accepted (refunded). Returnhub never makes a credit memo."""
from __future__ import annotations

import re

from hub.errors import PermanentError
from hub.model import Decision, LineDecision, Return

PREFIX = "order/"
_LINE = re.compile(r"\[line (\S+) = item (\d+) x (\d+)\]")


def marker(reference: str) -> str:
    """The text that starts Returnhub's comment: finds the return again after a lost answer."""
    return f"[{reference}]"


def shop_return_id(increment_id: str, reference: str) -> str:
    """``order/<increment id>/<reference>``."""
    return f"{PREFIX}{increment_id}/{reference}"


def order_of(shop_return_id: str) -> str:
    return shop_return_id[len(PREFIX):].rsplit("/", 1)[0]


def history(order: dict) -> list[dict]:
    """The order's status-history comments, oldest first (Magento lists them newest first, ties by id)."""
    items = list(reversed(order.get("status_history") or []))
    return sorted(items, key=lambda c: str(c.get("created_at") or ""))


def existing(order: dict, reference: str) -> bool:
    return any(str(c.get("comment") or "").startswith(marker(reference)) for c in history(order))


def allocate(ret: Return, order: dict) -> list[tuple[str, int, int]]:
    """(line id, order item id, qty) for each line on the order items of its SKU; PermanentError naming misfits."""
    items = [i for i in order.get("items") or [] if not i.get("parent_item_id")]
    left = {str(i["item_id"]): int(float(i.get("qty_ordered") or 0)) - int(float(i.get("qty_refunded") or 0))
            for i in items}
    out, problems = [], []
    for line in ret.lines:
        sku = (line.sku or "").strip().lower()
        need = line.quantity
        for item in [i for i in items if sku and str(i.get("sku") or "").strip().lower() == sku]:
            take = min(need, left[str(item["item_id"])])
            if take:
                out.append((line.external_line_id, int(item["item_id"]), take))
                left[str(item["item_id"])] -= take
                need -= take
        if need:
            problems.append(f"line {line.external_line_id} (SKU {line.sku or '-'}): {need} of {line.quantity} not "
                            f"on Magento order {order.get('increment_id')} (ordered and not refunded)")
    if problems:
        raise PermanentError("; ".join(problems))
    return out


def describe(ret: Return, allocations: list[tuple[str, int, int]]) -> str:
    """Returnhub's comment: marker, marketplace return, customer, and each line's order item."""
    parts = [f"{marker(ret.reference)} Marketplace return {ret.external_id} for order {ret.marketplace_order_id}."]
    if ret.customer is not None and (ret.customer.name or ret.customer.email):
        parts.append("Customer: " + ", ".join(filter(None, [ret.customer.name, ret.customer.email])) + ".")
    lines = {line.external_line_id: line for line in ret.lines}
    for line_id, item, qty in allocations:
        line = lines[line_id]
        reason = " ".join(filter(None, [line.reason_code, line.reason_text]))
        parts.append(f"[line {line_id} = item {item} x {qty}] {line.sku or ''} {reason}".rstrip())
    return " ".join(parts)


def recorded_lines(comment: str) -> list[tuple[str, int, int]]:
    return [(m.group(1), int(m.group(2)), int(m.group(3))) for m in _LINE.finditer(comment or "")]


def refunded(memos: list[dict], since: str) -> dict[int, int]:
    """Quantity per order item refunded by the (not cancelled) credit memos created at or after ``since``."""
    out: dict[int, int] = {}
    for memo in memos:
        if str(memo.get("created_at") or "") < since or str(memo.get("state")) == "3":  # 3: cancelled
            continue
        for item in memo.get("items") or []:
            key = int(item["order_item_id"])
            out[key] = out.get(key, 0) + int(float(item.get("qty") or 0))
    return out


def derive(ret: Return, order: dict, memos: list[dict], settings: dict) -> list[LineDecision] | None:
    """Per-line decisions from what the merchant did after Returnhub's comment (None: nothing yet).

    The latest keyword comment or mapped status decides the whole return; without one, refunded items are
    accepted with the refunded quantity."""
    comments = history(order)
    tag = marker(ret.reference)
    start = next((i for i, c in enumerate(comments) if str(c.get("comment") or "").startswith(tag)), None)
    if start is None:
        return None
    ours = comments[start]
    keyword = re.compile(re.escape(settings["keyword_prefix"].lower()) + r"("
                         + "|".join(d.value for d in Decision) + r")\b(.*)")
    said = None
    for c in comments[start + 1:]:
        found = keyword.search(str(c.get("comment") or "").lower())
        if found and (not re.search(r"\[?returnhub-\d+-", found.group(2)) or ret.reference.lower() in found.group(2)):
            said = (Decision(found.group(1)), f"comment {settings['keyword_prefix']}{found.group(1)}")
        elif c.get("status") and str(c["status"]).lower() in settings["status_map"]:
            said = (Decision(settings["status_map"][str(c["status"]).lower()]), f"order status {c['status']}")
    if said is not None:
        return [LineDecision(line.external_line_id, said[0], line.quantity, said[1], said[1]) for line in ret.lines]
    left = refunded(memos, str(ours.get("created_at") or ""))
    out = []
    for line in ret.lines:
        got = 0
        for line_id, item, qty in recorded_lines(ours.get("comment")):
            if line_id == line.external_line_id:
                take = min(qty, left.get(item, 0))
                left[item] = left.get(item, 0) - take
                got += take
        if got:
            out.append(LineDecision(line.external_line_id, Decision.ACCEPTED, min(got, line.quantity),
                                    "refunded by a credit memo", "credit_memo"))
    return out or None
