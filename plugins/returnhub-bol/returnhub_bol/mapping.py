"""bol.com <-> canonical: the decision vocabulary both ways and a bol return as a canonical dict. A bol return
(``returnId``) holds items (``rmaId``); bol acts per rmaId, so each item is one line, ``external_line_id = rmaId``."""
from __future__ import annotations

from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision, Fulfilment

# The decisions bol can express exactly; "kept" has no bol value (see approximate_kept).
DECISION_TO_HANDLING = {
    Decision.ACCEPTED: "RETURN_RECEIVED",
    Decision.REJECTED: "RETURN_DOES_NOT_MEET_CONDITIONS",
    Decision.REPAIRED: "REPAIR_PRODUCT",
    Decision.EXCHANGED: "EXCHANGE_PRODUCT",
    Decision.CANCELLED: "CUSTOMER_KEEPS_PRODUCT_PAID",
}
KEPT_APPROXIMATION = "RETURN_RECEIVED"

HANDLING_TO_DECISION = {v: k for k, v in DECISION_TO_HANDLING.items()}
HANDLING_TO_DECISION["STILL_APPROVED"] = Decision.ACCEPTED  # "approved after all", after exchange/repair

FULFILMENT = {"FBR": Fulfilment.MERCHANT, "FBB": Fulfilment.MARKETPLACE}


def handling_result_for(decision: Decision | str | None, *, approximate_kept: bool = False) -> str:
    """The handlingResult to send for a hub decision; PermanentError when bol cannot take it."""
    if decision is None:
        raise PermanentError("the line has no decision to send to bol")
    decision = Decision(decision)
    if decision is Decision.KEPT:
        if approximate_kept:
            return KEPT_APPROXIMATION
        raise PermanentError("bol has no handling result for 'kept' (customer keeps the item and is refunded); "
                             "turn on 'Send kept as RETURN_RECEIVED' or decide 'accepted' in the shop")
    return DECISION_TO_HANDLING[decision]


def decision_for(handling_result: str) -> Decision | None:
    """The hub decision a bol handlingResult means, None for a value this plugin does not know."""
    return HANDLING_TO_DECISION.get(handling_result)


def _text(value: Any) -> str | None:
    return None if value is None else (str(value).strip() or None)


ADDRESS = {"company": "company", "street": "streetName", "house_number": "houseNumber",
           "house_number_extension": "houseNumberExtension", "postal_code": "zipCode", "city": "city"}


def _customer(details: dict | None) -> dict | None:
    if not isinstance(details, dict):
        return None
    name = " ".join(p for p in (_text(details.get("firstName")), _text(details.get("surname"))) if p) or None
    country = _text(details.get("countryCode"))
    return {"name": name, "email": _text(details.get("email")), "phone": _text(details.get("deliveryPhoneNumber")),
            "address": {"name": name, **{key: _text(details.get(bol)) for key, bol in ADDRESS.items()},
                        "country_code": country.upper() if country else None}}


def _line(item: Any, position: int, flags: list[str]) -> dict:
    if not isinstance(item, dict):
        raise InvalidPayload(f"return item {position} is not an object")
    rma_id = _text(item.get("rmaId"))
    if not rma_id:
        raise InvalidPayload(f"return item {position} has no rmaId")
    quantity = item.get("expectedQuantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidPayload(f"return item {position} (rmaId {rma_id}) has expectedQuantity {quantity!r}, "
                             "a whole number of at least 1 is needed")
    reason = item.get("returnReason") if isinstance(item.get("returnReason"), dict) else {}
    for value in handled_results(item):
        if value is not None and decision_for(value) is None and f"unknown_handling_result:{value}" not in flags:
            flags.append(f"unknown_handling_result:{value}")
    return {
        "external_line_id": rma_id, "quantity": quantity, "ean": _text(item.get("ean")),
        "title": _text(item.get("title")), "reason_code": _text(reason.get("mainReason")),
        "reason_text": _text(reason.get("detailedReason")), "customer_comment": _text(reason.get("customerComments")),
        # customerDetails stay out of raw: they are mapped once, onto the return's customer.
        "raw": {k: v for k, v in item.items() if k != "customerDetails"},
    }


def return_to_canonical(ret: Any) -> dict:
    """A bol return (list or detail shape) as a canonical return dict; InvalidPayload when unusable. Unknown
    values inside a usable return (an undocumented handlingResult) are kept raw and flagged instead."""
    if not isinstance(ret, dict):
        raise InvalidPayload("a return is not an object", raw=ret)
    return_id = _text(ret.get("returnId"))
    if not return_id:
        raise InvalidPayload("return has no returnId", raw=ret)
    try:
        method = ret.get("fulfilmentMethod")
        if method not in FULFILMENT:
            raise InvalidPayload(f"unknown fulfilmentMethod {method!r} (expected FBR or FBB)")
        items = ret.get("returnItems")
        if not isinstance(items, list) or not items:
            raise InvalidPayload("return has no returnItems")
        flags: list[str] = []
        lines = [_line(item, n, flags) for n, item in enumerate(items, start=1)]
    except InvalidPayload as exc:
        raise InvalidPayload(str(exc), external_id=return_id, raw=ret) from None
    order_ids = list(dict.fromkeys(_text(i.get("orderId")) for i in items if _text(i.get("orderId"))))
    if len(order_ids) > 1:
        flags.append("multiple_orders")
    details = next((i["customerDetails"] for i in items if isinstance(i.get("customerDetails"), dict)), None)
    return {
        "external_id": return_id,
        "marketplace_order_id": order_ids[0] if order_ids else None,
        "fulfilment": FULFILMENT[method].value,
        "fulfilment_method": method,
        "requested_at": ret.get("registrationDateTime"),
        "customer": _customer(details),
        "lines": lines,
        "flags": flags,
        "raw": {"returnId": return_id, "registrationDateTime": ret.get("registrationDateTime"),
                "fulfilmentMethod": method, "orderIds": order_ids},
    }


def has_customer_details(ret: dict) -> bool:
    """True when every item of a listed return already carries customerDetails (no detail call needed)."""
    items = ret.get("returnItems") or []
    return bool(items) and all(isinstance(i, dict) and isinstance(i.get("customerDetails"), dict) for i in items)


def handled_results(item: dict) -> list[str]:
    """The handlingResults bol has processed for one return item."""
    return [r.get("handlingResult") for r in item.get("processingResults") or [] if isinstance(r, dict)]


def order(data: Any) -> dict | None:
    """A bol Order (``GET /retailer/orders/{order-id}``) as ``hub.model.Order`` fields: a line per order item, its
    returnable units (shipped, not cancelled), the order item id in ``raw`` (``POST /retailer/returns`` needs
    it); FBB when every item is fulfilled by bol. None when it is not an order."""
    if not isinstance(data, dict) or not isinstance(data.get("orderItems"), list):
        return None
    lines, methods = [], set()
    for item in data["orderItems"]:
        if not isinstance(item, dict) or not _text(item.get("orderItemId")):
            continue
        product = item.get("product") if isinstance(item.get("product"), dict) else {}
        method = _text((item.get("fulfilment") or {}).get("method")) or "FBR"
        methods.add(method)
        shipped = item.get("quantityShipped") if isinstance(item.get("quantityShipped"), int) else item.get("quantity")
        price = item.get("unitPrice")
        lines.append({"external_line_id": str(item["orderItemId"]), "quantity": max(int(shipped or 0), 0),
                      "ean": _text(product.get("ean")), "title": _text(product.get("title")),
                      "sku": _text((item.get("offer") or {}).get("reference")),
                      "unit_price": str(price) if isinstance(price, (int, float)) else None,
                      "currency": "EUR" if isinstance(price, (int, float)) else None,
                      "raw": {"order_item_id": str(item["orderItemId"]), "fulfilmentMethod": method}})
    fbb = methods == {"FBB"}
    return {"order_id": str(data.get("orderId")), "lines": lines, "customer": _customer(data.get("shipmentDetails")),
            "fulfilment": "marketplace" if fbb else "merchant", "fulfilment_method": "FBB" if fbb else "FBR",
            "raw": {"orderId": str(data.get("orderId"))}}
