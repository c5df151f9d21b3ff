"""TikTok Shop <-> canonical: return statuses and types, the decision enums, and a return as a canonical dict.

A TikTok return (``return_id``) belongs to one order and holds ``return_line_items``, one piece each;
items of the same SKU and reason become one canonical line whose quantity is their count. TikTok takes one
decision per return, so a line's decision is the return's.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision

# research §9 (go-tiktok, EcomPHP/tiktokshop-php): UNVERIFIED against the official pages.
RETURN_STATUSES = frozenset({
    "RETURN_OR_REFUND_REQUEST_PENDING", "REFUND_OR_RETURN_REQUEST_REJECT", "AWAITING_BUYER_SHIP",
    "BUYER_SHIPPED_ITEM", "REJECT_RECEIVE_PACKAGE", "RETURN_OR_REFUND_REQUEST_SUCCESS",
    "RETURN_OR_REFUND_REQUEST_CANCEL", "RETURN_OR_REFUND_REQUEST_COMPLETE"})
RETURN_TYPES = frozenset({"REFUND", "RETURN_AND_REFUND", "REPLACEMENT"})
APPROVE_DECISIONS = frozenset({"APPROVE_REFUND", "APPROVE_RETURN", "APPROVE_RECEIVE_PACKAGE", "APPROVE_REPLACEMENT",
                               "ISSUE_REPLACEMENT_REFUND", "OFFER_PARTIAL_REFUND"})
REJECT_DECISIONS = frozenset({"REJECT_REFUND", "REJECT_RETURN", "REJECT_RECEIVED_PACKAGE", "REJECT_REPLACEMENT"})
# Statuses where the seller can still decide, and what each hub decision becomes there.
DECIDABLE = {"RETURN_OR_REFUND_REQUEST_PENDING", "BUYER_SHIPPED_ITEM"}
# (return_type, return_status, decision) -> (verb, TikTok decision enum, the status it leads to)
ACTIONS = {
    ("REFUND", "RETURN_OR_REFUND_REQUEST_PENDING", Decision.ACCEPTED):
        ("approve", "APPROVE_REFUND", "RETURN_OR_REFUND_REQUEST_SUCCESS"),
    ("REFUND", "RETURN_OR_REFUND_REQUEST_PENDING", Decision.REJECTED):
        ("reject", "REJECT_REFUND", "REFUND_OR_RETURN_REQUEST_REJECT"),
    ("RETURN_AND_REFUND", "RETURN_OR_REFUND_REQUEST_PENDING", Decision.ACCEPTED):
        ("approve", "APPROVE_RETURN", "AWAITING_BUYER_SHIP"),
    ("RETURN_AND_REFUND", "RETURN_OR_REFUND_REQUEST_PENDING", Decision.REJECTED):
        ("reject", "REJECT_RETURN", "REFUND_OR_RETURN_REQUEST_REJECT"),
    ("RETURN_AND_REFUND", "BUYER_SHIPPED_ITEM", Decision.ACCEPTED):
        ("approve", "APPROVE_RECEIVE_PACKAGE", "RETURN_OR_REFUND_REQUEST_SUCCESS"),
    ("RETURN_AND_REFUND", "BUYER_SHIPPED_ITEM", Decision.REJECTED):
        ("reject", "REJECT_RECEIVED_PACKAGE", "REJECT_RECEIVE_PACKAGE"),
}
ACCEPTED_STATUSES = {"AWAITING_BUYER_SHIP", "RETURN_OR_REFUND_REQUEST_SUCCESS", "RETURN_OR_REFUND_REQUEST_COMPLETE"}
REJECTED_STATUSES = {"REFUND_OR_RETURN_REQUEST_REJECT", "REJECT_RECEIVE_PACKAGE"}


def action_for(return_type: str, status: str, decision: Decision | str | None) -> tuple[str, str, str]:
    """(verb, decision enum, resulting status) for a hub decision on a return in ``status``."""
    if decision is None:
        raise PermanentError("the return has no decision to send to TikTok Shop")
    decision = Decision(decision)
    if decision not in (Decision.ACCEPTED, Decision.REJECTED):
        raise PermanentError(f"TikTok Shop takes no '{decision.value}' decision here (accept or reject only)")
    found = ACTIONS.get((return_type, status, decision))
    if found is None:
        raise PermanentError(f"TikTok Shop cannot take '{decision.value}' on a {return_type} return in status "
                             f"{status}")
    return found


def decision_for(status: str) -> Decision | None:
    """The hub decision a return status stands for (None: undecided or not a decision)."""
    if status in ACCEPTED_STATUSES:
        return Decision.ACCEPTED
    if status in REJECTED_STATUSES:
        return Decision.REJECTED
    return None


def _text(value: Any) -> str | None:
    return None if value is None else (str(value).strip() or None)


def _time(value: Any, what: str, return_id: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidPayload(f"return {return_id} has no {what} (Unix seconds)", external_id=return_id)
    return datetime.fromtimestamp(value, UTC).isoformat()


def updated_at(ret: dict) -> str:
    """The return's ``update_time`` as ISO 8601 (for the incremental cursor)."""
    return _time(ret.get("update_time"), "update_time", str(ret.get("return_id")))


def check_return(ret: Any) -> str:
    """The return's id when the searched entry is usable; InvalidPayload with the reason otherwise."""
    if not isinstance(ret, dict):
        raise InvalidPayload("a return is not an object", raw=ret)
    return_id = _text(ret.get("return_id"))
    if not return_id:
        raise InvalidPayload("return has no return_id", raw=ret)
    if ret.get("return_status") not in RETURN_STATUSES:
        raise InvalidPayload(f"return {return_id} has unknown return_status {ret.get('return_status')!r}",
                             external_id=return_id, raw=ret)
    if ret.get("return_type") not in RETURN_TYPES:
        raise InvalidPayload(f"return {return_id} has unknown return_type {ret.get('return_type')!r}",
                             external_id=return_id, raw=ret)
    if not _text(ret.get("order_id")):
        raise InvalidPayload(f"return {return_id} has no order_id", external_id=return_id, raw=ret)
    items = ret.get("return_line_items")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and _text(i.get(
            "return_line_item_id")) for i in items):
        raise InvalidPayload(f"return {return_id} has no usable return_line_items", external_id=return_id, raw=ret)
    return return_id


def _amount(item: dict) -> tuple[str | None, str | None]:
    money = item.get("refund_amount") if isinstance(item.get("refund_amount"), dict) else {}
    try:
        value = str(Decimal(str(money["refund_total"])))
    except (KeyError, InvalidOperation, TypeError):
        return None, None
    return value, _text(money.get("currency"))


def return_to_canonical(ret: dict) -> dict:
    """A searched return as a canonical return dict (call :func:`check_return` first)."""
    return_id = str(ret["return_id"])
    groups: dict[tuple, list[dict]] = {}
    for item in ret["return_line_items"]:
        key = (item.get("sku_id") or item.get("seller_sku") or item["return_line_item_id"], _amount(item))
        groups.setdefault(key, []).append(item)
    lines = []
    for items in groups.values():
        first = items[0]
        price, currency = _amount(first)
        lines.append({
            "external_line_id": str(first["return_line_item_id"]),
            "quantity": len(items),
            "sku": _text(first.get("seller_sku")),
            "title": _text(first.get("product_name")),
            "reason_code": _text(ret.get("return_reason")),
            "customer_comment": _text(ret.get("return_reason_text")),
            "unit_price": price, "currency": currency if price else None,
            "raw": {"return_line_item_ids": [str(i["return_line_item_id"]) for i in items],
                    "order_line_item_ids": [str(i.get("order_line_item_id")) for i in items],
                    "sku_id": first.get("sku_id")},
        })
    return {
        "external_id": return_id,
        "marketplace_order_id": str(ret["order_id"]),
        "fulfilment": "merchant",
        "requested_at": _time(ret.get("create_time"), "create_time", return_id),
        "lines": lines,
        "raw": {"return_id": return_id, "return_type": ret["return_type"], "return_status": ret["return_status"]},
    }
