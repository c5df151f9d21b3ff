"""Allegro <-> canonical: customer return statuses, a return with its order (checkout form) as a canonical
dict, the refund and rejection bodies a decision becomes, and what an earlier refund already covered.

A customer return's items key on ``offerId`` only; the order's checkout form gives the line item
each stands for (its id is what a refund names), the seller's SKU (``offer.external.id``), the
payment to refund and the delivery address. One canonical line per returned item; its
``external_line_id`` is the checkout-form line item id.
"""
from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision, Fulfilment
from returnhub_allegro.settings import REJECTION_CODES

# CustomerReturn.status (the official description's list).
OPEN_STATUSES = frozenset({"CREATED", "DISPATCHED", "IN_TRANSIT", "DELIVERED", "WAREHOUSE_DELIVERED",
                           "WAREHOUSE_VERIFICATION"})
CLOSED_STATUSES = frozenset({"FINISHED", "FINISHED_APT", "REJECTED", "COMMISSION_REFUND_CLAIMED",
                             "COMMISSION_REFUNDED"})
STATUSES = OPEN_STATUSES | CLOSED_STATUSES
# RefundDetails.status values of a refund that did not (and will not) pay anything back.
FAILED_REFUNDS = frozenset({"CANCELED", "VALIDATE_FAILED"})
COMMAND_NAMESPACE = uuid.UUID("5b0f3c8e-2d1a-4c55-9a53-7a1c6f0e4a11")
MARKER = "[returnhub {}]"  # in a refund's sellerComment: which customer return it answers


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def check_return(ret: Any) -> str:
    """The return's id when its list entry is usable; InvalidPayload with the reason otherwise."""
    if not isinstance(ret, dict):
        raise InvalidPayload("a customer return is not an object", raw=ret)
    return_id = _text(ret.get("id"))
    if not return_id:
        raise InvalidPayload("customer return has no id", raw=ret)
    if ret.get("status") not in STATUSES:
        raise InvalidPayload(f"customer return {return_id} has unknown status {ret.get('status')!r} (known: "
                             f"{', '.join(sorted(STATUSES))})", external_id=return_id, raw=ret)
    if not _text(ret.get("orderId")):
        raise InvalidPayload(f"customer return {return_id} has no orderId", external_id=return_id, raw=ret)
    items = ret.get("items")
    if not isinstance(items, list) or not items:
        raise InvalidPayload(f"customer return {return_id} has no items", external_id=return_id, raw=ret)
    for n, item in enumerate(items, start=1):
        quantity = item.get("quantity") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not _text(item.get("offerId")):
            raise InvalidPayload(f"customer return {return_id}: item {n} has no offerId", external_id=return_id)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise InvalidPayload(f"customer return {return_id}: item {n} (offer {item['offerId']}) has quantity "
                                 f"{quantity!r}", external_id=return_id)
    return return_id


def _price(price: Any) -> tuple[str | None, str | None]:
    if not isinstance(price, dict):
        return None, None
    try:
        return str(Decimal(str(price.get("amount")))), _text(price.get("currency"))
    except (InvalidOperation, ValueError):
        return None, None


def _address(addr: Any) -> dict | None:
    if not isinstance(addr, dict):
        return None
    name = " ".join(p for p in (_text(addr.get("firstName")), _text(addr.get("lastName"))) if p) or None
    country = _text(addr.get("countryCode"))
    return {"name": name, "company": _text(addr.get("companyName")), "street": _text(addr.get("street")),
            "house_number": None, "house_number_extension": None, "postal_code": _text(addr.get("zipCode")),
            "city": _text(addr.get("city")),
            "country_code": country.upper() if country and len(country) == 2 and country.isalpha() else None}


def _line_item(return_id: str, order_id: str, item: dict, form: dict, used: set[str]) -> dict:
    """The checkout-form line item a returned item stands for (first unused one of the same offer)."""
    matches = [li for li in form.get("lineItems") or []
               if isinstance(li, dict) and str((li.get("offer") or {}).get("id")) == str(item["offerId"])]
    for li in matches:
        if li.get("id") and li["id"] not in used:
            used.add(li["id"])
            return li
    raise InvalidPayload(f"customer return {return_id}: offer {item['offerId']} is not a line item of order "
                         f"{order_id}", external_id=return_id)


def return_to_canonical(ret: dict, form: dict) -> dict:
    """A customer return and its order's checkout form as a canonical return dict."""
    return_id, order_id = str(ret["id"]), str(ret["orderId"])
    used: set[str] = set()
    lines = []
    for item in ret["items"]:
        li = _line_item(return_id, order_id, item, form, used)
        if int(item["quantity"]) > int(li.get("quantity") or 0):
            raise InvalidPayload(f"customer return {return_id}: {item['quantity']} of offer {item['offerId']} "
                                 f"returned but the order has {li.get('quantity')}", external_id=return_id)
        amount, currency = _price(item.get("price") or li.get("price"))
        reason = item.get("reason") if isinstance(item.get("reason"), dict) else {}
        lines.append({
            "external_line_id": str(li["id"]), "quantity": int(item["quantity"]),
            "sku": _text(((li.get("offer") or {}).get("external") or {}).get("id")), "ean": None,
            "title": _text(item.get("name")) or _text((li.get("offer") or {}).get("name")),
            "reason_code": _text(reason.get("type")), "customer_comment": _text(reason.get("userComment")),
            "unit_price": amount, "currency": currency,
            "raw": {"offerId": str(item["offerId"]), "url": item.get("url"),
                    "serialNumbers": item.get("serialNumbers") or []},
        })
    buyer = form.get("buyer") if isinstance(form.get("buyer"), dict) else {}
    address = _address((form.get("delivery") or {}).get("address"))
    name = (address or {}).get("name") or " ".join(
        p for p in (_text(buyer.get("firstName")), _text(buyer.get("lastName"))) if p) or None
    flags = [] if address else ["no_customer_address"]
    email = _text((ret.get("buyer") or {}).get("email")) or _text(buyer.get("email"))
    payment = form.get("payment") if isinstance(form.get("payment"), dict) else {}
    fulfilled = bool(ret.get("isFulfillment"))
    return {
        "external_id": return_id,
        "marketplace_order_id": order_id,
        "fulfilment": (Fulfilment.MARKETPLACE if fulfilled else Fulfilment.MERCHANT).value,
        "fulfilment_method": "one_fulfillment" if fulfilled else "seller",
        "requested_at": ret.get("createdAt"),
        "customer": {"name": name, "email": email, "phone": _text(buyer.get("phoneNumber")), "address": address},
        "invoice_address": None,
        "lines": lines,
        "flags": flags,
        "raw": {"id": return_id, "referenceNumber": ret.get("referenceNumber"), "status": ret.get("status"),
                "orderId": order_id, "paymentId": payment.get("id"), "marketplaceId": ret.get("marketplaceId"),
                "buyerLogin": (ret.get("buyer") or {}).get("login"),
                "waybills": [p.get("waybill") for p in ret.get("parcels") or [] if isinstance(p, dict)]},
    }


# -- decisions --------------------------------------------------------------------------------

def rejection(note: str | None, default_code: str, default_reason: str) -> tuple[str, str | None]:
    """(code, reason) of a rejection: a note ``"ITEM_MISMATCH: text"`` picks a documented code; the note
    (or the configured reason) is the reason, required with REFUND_REJECTED, 250 characters at most."""
    code, text = default_code, _text(note)
    if text and ":" in text:
        head, _, rest = text.partition(":")
        if head.strip().upper() in REJECTION_CODES:
            code, text = head.strip().upper(), _text(rest)
    reason = (text or (default_reason if code == "REFUND_REJECTED" else None))
    return code, reason[:250] if reason else None


def refunded(refunds: list[dict], return_id: str) -> dict[str, int]:
    """Quantities per line item already refunded for this customer return (our marker), failed ones left out."""
    marker, out = MARKER.format(return_id), {}
    for refund in refunds:
        if refund.get("status") in FAILED_REFUNDS or marker not in str(refund.get("sellerComment") or ""):
            continue
        for li in refund.get("lineItems") or []:
            if li.get("type") == "QUANTITY":
                out[str(li["id"])] = out.get(str(li["id"]), 0) + int(li.get("quantity") or 0)
    return out


def refund_body(ret, todo: dict[str, int], payment_id: str) -> dict:
    """POST /payments/refunds for ``todo`` {line item id: quantity}; the commandId is derived from what is
    refunded, so sending the same refund again is the same command for Allegro."""
    items = sorted(todo.items())
    command = uuid.uuid5(COMMAND_NAMESPACE, f"{ret.external_id}|{payment_id}|{items}")
    reference = (ret.raw or {}).get("referenceNumber") or ret.external_id
    return {"payment": {"id": payment_id}, "order": {"id": ret.marketplace_order_id}, "commandId": str(command),
            "reason": "REFUND",
            "lineItems": [{"id": li, "type": "QUANTITY", "quantity": q} for li, q in items],
            "sellerComment": f"Return {reference} {MARKER.format(ret.external_id)}"[:250]}


def check_decision(decision: Decision | str | None) -> Decision | None:
    """The decision when Allegro can express it (accepted, rejected); PermanentError naming what it cannot."""
    if decision is None:
        return None
    decision = Decision(decision)
    if decision not in (Decision.ACCEPTED, Decision.REJECTED):
        raise PermanentError(f"Allegro's API has no way to record '{decision.value}' (only a refund or a refund "
                             "rejection); settle it with the buyer in Allegro's Sales Center")
    return decision
