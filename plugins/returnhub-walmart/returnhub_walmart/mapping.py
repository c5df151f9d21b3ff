"""Walmart <-> canonical: the status vocabularies, a return order as a canonical dict, and refund quantities.

A Walmart return order (``returnOrderId``, the RMA number) holds return order lines, each with a
quantity and what was refunded of it so far (``refundedQty``). A canonical line is a return order
line still open for a refund; its quantity is what is left, and ``raw.refunded_before`` keeps what
Walmart had refunded when it was read, so a decision on k units asks Walmart for a refunded total
of ``refunded_before + k`` and a repeated push sends nothing.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision, Fulfilment

# Line statuses: the list filter's INITIATED, DELIVERED, COMPLETED (spec) and CANCELLED (Walmart's overview).
LINE_STATUSES = frozenset({"INITIATED", "DELIVERED", "COMPLETED", "CANCELLED"})
CLOSED_STATUSES = frozenset({"COMPLETED", "CANCELLED"})
RETURN_TYPES = frozenset({"REFUND", "REPLACEMENT", "PREORDER"})  # PREORDER: 2026 reference
# refundChannel values where Walmart, not the seller, issues the refund (research §8.2).
WALMART_REFUNDS = frozenset({"WALMART_SETTLED_REFUND", "WALMART_TRIGGERED_REFUND"})


def check_decision(decision: Decision | str | None) -> None:
    """PermanentError unless the decision is one Walmart's Returns API can carry (accepted = refund)."""
    if decision is None:
        raise PermanentError("the line has no decision to send to Walmart")
    if Decision(decision) != Decision.ACCEPTED:
        raise PermanentError(f"Walmart has no action for '{Decision(decision).value}': its Returns API takes "
                             "refunds only (accepted); approve/reject is not in the published API description")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def units(quantity: Any) -> int | None:
    """A ``Quantity`` object's whole number of units (None when unreadable)."""
    value = quantity.get("measurementValue") if isinstance(quantity, dict) else quantity
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number == number.to_integral_value() and number >= 0 else None


def refunded(line: dict) -> int:
    """Units of a return order line Walmart has refunded so far."""
    return units(line.get("refundedQty") or 0) or 0


def check_return(ret: Any) -> str:
    """The return order's id when the list entry is usable; InvalidPayload with the reason otherwise."""
    if not isinstance(ret, dict):
        raise InvalidPayload("a return order is not an object", raw=ret)
    rid = _text(ret.get("returnOrderId"))
    if not rid:
        raise InvalidPayload("return order has no returnOrderId", raw=ret)
    if not _text(ret.get("customerOrderId")):
        raise InvalidPayload(f"return order {rid} has no customerOrderId (needed to refund it)",
                             external_id=rid, raw=ret)
    if ret.get("returnType") is not None and ret["returnType"] not in RETURN_TYPES:
        raise InvalidPayload(f"return order {rid} has unknown returnType {ret['returnType']!r} (known: "
                             f"{', '.join(sorted(RETURN_TYPES))})", external_id=rid, raw=ret)
    lines = ret.get("returnOrderLines")
    if not isinstance(lines, list) or not lines:
        raise InvalidPayload(f"return order {rid} has no returnOrderLines", external_id=rid, raw=ret)
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or not isinstance(line.get("returnOrderLineNumber"), int):
            raise InvalidPayload(f"return order {rid}: line {n} has no returnOrderLineNumber", external_id=rid,
                                 raw=ret)
        if line.get("status") not in LINE_STATUSES:
            raise InvalidPayload(f"return order {rid}: line {line['returnOrderLineNumber']} has unknown status "
                                 f"{line.get('status')!r} (known: {', '.join(sorted(LINE_STATUSES))})",
                                 external_id=rid, raw=ret)
        if units(line.get("quantity")) is None:
            raise InvalidPayload(f"return order {rid}: line {line['returnOrderLineNumber']} has no whole "
                                 f"quantity ({line.get('quantity')!r})", external_id=rid, raw=ret)
    return rid


def open_lines(ret: dict) -> list[dict]:
    """The lines still open for a refund (not completed or cancelled, units left)."""
    return [line for line in ret["returnOrderLines"] if line["status"] not in CLOSED_STATUSES
            and units(line["quantity"]) - refunded(line) > 0]


def _line(line: dict) -> dict:
    item = line.get("item") if isinstance(line.get("item"), dict) else {}
    price = line.get("unitPrice") if isinstance(line.get("unitPrice"), dict) else {}
    amount, currency = price.get("currencyAmount"), _text(price.get("currencyUnit"))
    return {
        "external_line_id": str(line["returnOrderLineNumber"]),
        "quantity": units(line["quantity"]) - refunded(line),
        "sku": _text(item.get("sku")),
        "title": _text(item.get("productName")),
        "reason_code": _text(line.get("returnReason")),
        "unit_price": str(amount) if amount is not None and currency else None,
        "currency": currency if amount is not None else None,
        "raw": {"returnOrderLineNumber": line["returnOrderLineNumber"], "refunded_before": refunded(line),
                "ordered": units(line["quantity"]), "purchaseOrderId": line.get("purchaseOrderId"),
                "salesOrderLineNumber": line.get("salesOrderLineNumber"), "status": line.get("status"),
                "refundChannel": line.get("refundChannel"), "isKeepIt": line.get("isKeepIt")},
    }


def return_to_canonical(ret: dict, lines: list[dict]) -> dict:
    """A checked return order and its open lines as a canonical return dict."""
    rid = str(ret["returnOrderId"])
    name = ret.get("customerName") if isinstance(ret.get("customerName"), dict) else {}
    full = " ".join(p for p in (_text(name.get("firstName")), _text(name.get("lastName"))) if p) or None
    flags = []
    if any(line.get("refundChannel") in WALMART_REFUNDS for line in lines):
        flags.append("refund_by_walmart")
    if ret.get("returnType") == "REPLACEMENT":
        flags.append("replacement")
    if any(line.get("isKeepIt") for line in lines):
        flags.append("keep_it")
    return {
        "external_id": rid,
        "marketplace_order_id": str(ret["customerOrderId"]),
        "fulfilment": Fulfilment.MERCHANT.value,
        "fulfilment_method": "seller_fulfilled",
        "requested_at": ret.get("returnOrderDate"),
        "customer": {"name": full, "email": _text(ret.get("customerEmailId")), "phone": None, "address": None},
        "lines": [_line(line) for line in sorted(lines, key=lambda x: x["returnOrderLineNumber"])],
        "flags": flags,
        "raw": {"returnOrderId": rid, "customerOrderId": str(ret["customerOrderId"]),
                "returnType": ret.get("returnType"), "returnByDate": ret.get("returnByDate"),
                "refundMode": ret.get("refundMode")},
    }
