"""Magento <-> canonical: matching lines to order items, the marker comment that records them, reasons."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hub.errors import PermanentError
from hub.model import Line, Return

_LINE = re.compile(r"\[line (\S+) = item (\d+) x (\d+)\]")

# Marketplace reason (code and text, lower case) -> the default RMA reason option label it means.
_REASONS = [
    ("Wrong Size", r"size|too (small|large|big)|te (klein|groot)|zu (klein|gro)|maat|gr[öo]sse"),
    ("Wrong Color", r"colou?r|kleur|farbe"),
    ("Out of Service", r"defect|broken|damaged|faulty|kapot|beschadigd|defekt|not work|doet het niet"),
]


@dataclass
class Allocation:
    """One hub line on one order item, with the quantity."""

    line: Line
    order_item_id: int
    qty: int


def returnable_items(order: dict, shipped_only: bool) -> list[dict]:
    """The order's own items (not the children of configurable products) with ``left`` to return."""
    out = []
    for item in order.get("items") or []:
        if item.get("parent_item_id"):
            continue
        base = item.get("qty_shipped") if shipped_only else item.get("qty_ordered")
        left = int(base or 0) - int(item.get("qty_returned") or 0) - (0 if shipped_only else
                                                                      int(item.get("qty_refunded") or 0))
        out.append({**item, "left": max(left, 0)})
    return out


def allocate(lines: list[Line], order: dict, *, shipped_only: bool) -> list[Allocation]:
    """Each line on the order items of its SKU; PermanentError naming the lines that do not fit."""
    items = returnable_items(order, shipped_only)
    left = {item["item_id"]: item["left"] for item in items}
    out, problems = [], []
    for line in lines:
        sku = (line.sku or "").strip().lower()
        candidates = [i for i in items if sku and str(i.get("sku") or "").strip().lower() == sku]
        if not candidates:
            what = f"SKU {line.sku}" if line.sku else f"EAN {line.ean}: no product has it in the EAN attribute"
            problems.append(f"line {line.external_line_id} ({what}) is not on Magento order "
                            f"{order.get('increment_id')}")
            continue
        need = line.quantity
        for item in candidates:
            take = min(need, left[item["item_id"]])
            if take:
                out.append(Allocation(line, int(item["item_id"]), take))
                left[item["item_id"]] -= take
                need -= take
        if need:
            what = "shipped and not yet returned" if shipped_only else "ordered and not refunded"
            problems.append(f"line {line.external_line_id}: {need} of {line.quantity} more than {what} on "
                            f"Magento order {order.get('increment_id')}")
    if problems:
        raise PermanentError("; ".join(problems))
    return out


def marker(reference: str) -> str:
    """The text that starts Returnhub's comment: finds the return again after a lost answer."""
    return f"[{reference}]"


def describe(ret: Return, allocations: list[Allocation]) -> str:
    """Returnhub's comment: marker, marketplace return, the customer's address, and each line's item."""
    parts = [f"{marker(ret.reference)} Marketplace return {ret.external_id} for order {ret.marketplace_order_id}."]
    customer = ret.customer
    if customer is not None:
        who = ", ".join(filter(None, [customer.name, customer.email, customer.phone]))
        parts.append(f"Customer: {who}." if who else "")
        address = customer.address or ret.invoice_address
        if address is not None:
            street = " ".join(filter(None, [address.street, address.house_number, address.house_number_extension]))
            parts.append("Address: " + ", ".join(filter(None, [address.name, address.company, street,
                                                               f"{address.postal_code or ''} {address.city or ''}"
                                                               .strip(), address.country_code])) + ".")
    for a in allocations:
        reason = " ".join(filter(None, [a.line.reason_code, a.line.reason_text]))
        comment = f" — {a.line.customer_comment}" if a.line.customer_comment else ""
        parts.append(f"[line {a.line.external_line_id} = item {a.order_item_id} x {a.qty}] "
                     f"{a.line.sku or ''} {reason}{comment}".rstrip())
    return " ".join(p for p in parts if p)


def recorded_lines(comment: str) -> list[tuple[str, int, int]]:
    """(line id, order item id, qty) as Returnhub's comment recorded them."""
    return [(m.group(1), int(m.group(2)), int(m.group(3))) for m in _LINE.finditer(comment or "")]


def reason_label(line: Line, labels: list[str], fallback: str) -> str:
    """The RMA reason option label for a marketplace line: a known label the reason names, else ``fallback``."""
    text = " ".join(filter(None, [line.reason_code, line.reason_text])).lower()
    by_lower = {label.lower(): label for label in labels}
    if text in by_lower:
        return by_lower[text]
    for label, pattern in _REASONS:
        if label.lower() in by_lower and re.search(pattern, text):
            return by_lower[label.lower()]
    return fallback
