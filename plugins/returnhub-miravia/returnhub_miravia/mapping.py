"""Miravia reverse orders <-> canonical returns: request types, line statuses, what a decision does.

A reverse order (``reverse_order_id``) belongs to one trade order and holds ``reverse_order_lines``; each line
is one returned order item (``trade_order_line_id``) with its own ``reverse_status``. Lines the seller can still
decide become canonical lines (``external_line_id`` = ``reverse_order_line_id``). Enums: the deplox/miravia-sdk
client's (upper-cased as the Lazada platform documents them) — UNVERIFIED against an official Miravia page.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision

REQUEST_TYPES = frozenset({"RETURN", "ONLY_REFUND", "CANCEL", "REPLACEMENT"})
IMPORTED_TYPES = frozenset({"RETURN", "ONLY_REFUND"})  # cancellations before shipping and replacements are not returns
STATUSES = frozenset({
    "REQUEST_INITIATE", "REQUEST_REJECT", "CANCEL_REQUEST", "CANCEL_CANCEL", "SUCCESS", "REFUND_PENDING",
    "REFUND_AUTHORIZED", "REFUND_SUCCESS", "REPLACE_PENDING", "REPLACE_REJECT", "REPLACE_COMMIT",
    "REPLACE_WAIT_AUDIT", "SELLER_AGREE", "SELLER_REJECT", "BUYER_RETURN_ITEM", "RETURN_SELLER_REJECT",
    "RETURN_PENDING", "RETURN_SUCCESS", "SELLER_AGREE_REFUND", "SELLER_REJECT_REFUND", "CS_APPROVING",
    "AGREE_CANCEL", "ORDER_REJECT", "CANCEL_ORDER", "REFUND_REJECT", "REQUEST_CANCEL", "SELLER_AGREE_RETURN"})
DECIDABLE = frozenset({"REQUEST_INITIATE", "BUYER_RETURN_ITEM"})
ACCEPTED = frozenset({"SELLER_AGREE_RETURN", "SELLER_AGREE_REFUND", "SELLER_AGREE", "REFUND_PENDING",
                      "REFUND_AUTHORIZED", "REFUND_SUCCESS", "RETURN_SUCCESS", "SUCCESS"})
REJECTED = frozenset({"REQUEST_REJECT", "SELLER_REJECT", "SELLER_REJECT_REFUND", "RETURN_SELLER_REJECT",
                      "REFUND_REJECT"})
# (request type, status, verb) -> the status the line moves to (the emulator's model of Miravia's flow)
OUTCOMES = {
    ("RETURN", "REQUEST_INITIATE", "accept"): "SELLER_AGREE_RETURN",
    ("ONLY_REFUND", "REQUEST_INITIATE", "accept"): "REFUND_SUCCESS",
    ("RETURN", "REQUEST_INITIATE", "reject"): "REQUEST_REJECT",
    ("ONLY_REFUND", "REQUEST_INITIATE", "reject"): "REQUEST_REJECT",
    ("RETURN", "BUYER_RETURN_ITEM", "accept"): "SELLER_AGREE_REFUND",
    ("RETURN", "BUYER_RETURN_ITEM", "reject"): "SELLER_REJECT_REFUND",
}


def verb_for(decision: Decision | str | None) -> str:
    """``accept`` or ``reject``; PermanentError for a decision Miravia cannot take."""
    if decision is None:
        raise PermanentError("the line has no decision to send to Miravia")
    decision = Decision(decision)
    if decision is Decision.ACCEPTED:
        return "accept"
    if decision is Decision.REJECTED:
        return "reject"
    raise PermanentError(f"Miravia takes no '{decision.value}' decision (accept or reject only)")


def decision_for(status: str | None) -> Decision | None:
    """The hub decision a line status stands for (None: still open, or neither)."""
    if status in ACCEPTED:
        return Decision.ACCEPTED
    if status in REJECTED:
        return Decision.REJECTED
    return None


def _text(value: Any) -> str | None:
    return None if value is None else (str(value).strip() or None)


def _seconds(value: Any, what: str, rid: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise InvalidPayload(f"reverse order {rid} has no {what} (Unix seconds)", external_id=rid)
    return datetime.fromtimestamp(int(value), UTC)


def check_reverse_order(row: Any) -> str:
    """The reverse order's id when the entry is usable; InvalidPayload with the reason otherwise."""
    if not isinstance(row, dict):
        raise InvalidPayload("a reverse order is not an object", raw=row)
    rid = _text(row.get("reverse_order_id"))
    if not rid:
        raise InvalidPayload("reverse order has no reverse_order_id", raw=row)
    if row.get("request_type") not in REQUEST_TYPES:
        raise InvalidPayload(f"reverse order {rid} has unknown request_type {row.get('request_type')!r}",
                             external_id=rid, raw=row)
    if not _text(row.get("trade_order_id")):
        raise InvalidPayload(f"reverse order {rid} has no trade_order_id", external_id=rid, raw=row)
    lines = row.get("reverse_order_lines")
    if not isinstance(lines, list) or not lines:
        raise InvalidPayload(f"reverse order {rid} has no reverse_order_lines", external_id=rid, raw=row)
    for line in lines:
        if not isinstance(line, dict) or not _text(line.get("reverse_order_line_id")) \
                or not _text(line.get("trade_order_line_id")):
            raise InvalidPayload(f"reverse order {rid} has a line without its ids", external_id=rid, raw=row)
        if line.get("reverse_status") not in STATUSES:
            raise InvalidPayload(f"reverse order {rid} has unknown reverse_status {line.get('reverse_status')!r}",
                                 external_id=rid, raw=row)
    created_at(row)
    return rid


def created_at(row: dict) -> datetime:
    """When the buyer asked: the earliest line's ``return_order_line_gmt_create`` (Unix seconds)."""
    rid = str(row.get("reverse_order_id"))
    return min(_seconds(line.get("return_order_line_gmt_create"), "return_order_line_gmt_create", rid)
               for line in row["reverse_order_lines"])


def refund_amount(line: dict) -> tuple[str | None, str | None]:
    """The line's refund as a decimal string in currency units (Miravia gives cents) and its currency."""
    try:
        cents = Decimal(str(line["refund_amount"]))
    except (KeyError, InvalidOperation, TypeError):
        return None, None
    return str((cents / 100).quantize(Decimal("0.01"))), _text(line.get("refund_currency")) or "EUR"


def to_canonical(row: dict) -> dict | None:
    """A checked reverse order as a canonical return dict; None when nothing in it is the seller's to decide."""
    if row["request_type"] not in IMPORTED_TYPES:
        return None
    rid = str(row["reverse_order_id"])
    open_lines = [line for line in row["reverse_order_lines"] if line["reverse_status"] in DECIDABLE]
    if not open_lines:
        return None
    lines = []
    for line in open_lines:
        price, currency = refund_amount(line)
        count = line.get("refund_item_counts")
        lines.append({
            "external_line_id": str(line["reverse_order_line_id"]),
            "quantity": count if isinstance(count, int) and not isinstance(count, bool) and count >= 1 else 1,
            "sku": _text(line.get("seller_sku_id")),
            "title": _text(line.get("product_name")),
            "ean": _text(line.get("spu_eancode")),
            "reason_text": _text(line.get("reason_text")),
            "unit_price": price, "currency": currency if price else None,
            "raw": {"trade_order_line_id": str(line["trade_order_line_id"]), "reverse_status": line["reverse_status"],
                    "platform_sku_id": line.get("platform_sku_id")},
        })
    return {
        "external_id": rid,
        "marketplace_order_id": str(row["trade_order_id"]),
        "fulfilment": "merchant",
        "requested_at": created_at(row).isoformat(),
        "lines": lines,
        "flags": ["refund_only"] if row["request_type"] == "ONLY_REFUND" else [],
        "raw": {"reverse_order_id": rid, "request_type": row["request_type"], "country": row.get("country")},
    }
