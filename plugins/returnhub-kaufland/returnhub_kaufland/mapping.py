"""Kaufland <-> canonical: the status and decision vocabularies, and a return with its units as a canonical dict.

A Kaufland return (``id_return``) holds return units, one piece each, each tied to an order unit
(product, price, addresses). Units of the same offer, price and reason become one canonical line
whose quantity is their count; ``raw.id_return_units`` keeps which units it stands for, so a
decision on k of its n units is sent for k units.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision, Fulfilment

# Enums of Kaufland Seller API v2 (ReturnStatus, ReturnUnitStatus, FulfillmentType).
RETURN_STATUSES = frozenset({"return_requested", "label_generated", "package_sent", "package_received",
                             "label_deleted"})
UNIT_STATUSES = frozenset({"need_to_be_returned", "return_arrived", "return_accepted", "return_rejected",
                           "return_closed", "return_in_repair", "return_in_clarification"})
FINAL_UNIT_STATUSES = frozenset({"return_accepted", "return_rejected", "return_closed"})
FULFILMENT = {"fulfilled_by_merchant": Fulfilment.MERCHANT, "fulfilled_by_kaufland": Fulfilment.MARKETPLACE}

# research §6.5: the hub decision -> (PATCH /return-units/{id}/<action>, the unit status it leads to).
ACTIONS = {
    Decision.ACCEPTED: ("accept", "return_accepted"),
    Decision.REJECTED: ("reject", "return_rejected"),
    Decision.REPAIRED: ("repair", "return_in_repair"),
    Decision.EXCHANGED: ("clarify", "return_in_clarification"),
}
STATUS_TO_DECISION = {status: decision for decision, (_, status) in ACTIONS.items()}


def action_for(decision: Decision | str | None) -> tuple[str, str]:
    """(action, target unit status) for a hub decision; PermanentError when Kaufland has none."""
    if decision is None:
        raise PermanentError("the line has no decision to send to Kaufland")
    decision = Decision(decision)
    if decision not in ACTIONS:
        raise PermanentError(f"Kaufland has no action for '{decision.value}' on a return unit "
                             "(accept, reject, repair or clarify only)")
    return ACTIONS[decision]


def decision_for(unit_status: str) -> Decision | None:
    """The hub decision a unit status stands for (None for a status no decision leads to)."""
    return STATUS_TO_DECISION.get(unit_status)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _address(addr: Any, flags: list[str]) -> dict | None:
    if not isinstance(addr, dict):
        return None
    name = " ".join(p for p in (_text(addr.get("first_name")), _text(addr.get("last_name"))) if p) or None
    country = _text(addr.get("country"))
    if country and not (len(country) == 2 and country.isalpha()):
        flags.append(f"country_not_iso:{country}")
        country = None
    extra = _text(addr.get("additional_field"))
    return {"name": name, "company": _text(addr.get("company_name")), "street": _text(addr.get("street")),
            "house_number": _text(addr.get("house_number")), "house_number_extension": extra,
            "postal_code": _text(addr.get("postcode")), "city": _text(addr.get("city")),
            "country_code": country.upper() if country else None}


def check_return(ret: Any) -> str:
    """The return's id when its list entry is usable; InvalidPayload with the reason otherwise."""
    if not isinstance(ret, dict):
        raise InvalidPayload("a return is not an object", raw=ret)
    id_return = _text(ret.get("id_return"))
    if not id_return:
        raise InvalidPayload("return has no id_return", raw=ret)
    status = ret.get("status")
    if status not in RETURN_STATUSES:
        raise InvalidPayload(f"return {id_return} has unknown status {status!r} (known: "
                             f"{', '.join(sorted(RETURN_STATUSES))})", external_id=id_return, raw=ret)
    if ret.get("fulfillment_type") not in FULFILMENT:
        raise InvalidPayload(f"return {id_return} has unknown fulfillment_type {ret.get('fulfillment_type')!r}",
                             external_id=id_return, raw=ret)
    return id_return


def open_units(ret: dict) -> list[dict]:
    """The return's units still to be handled (not accepted, rejected or closed); checks every unit."""
    id_return = str(ret["id_return"])
    units = ret.get("return_units")
    if not isinstance(units, list) or not units:
        raise InvalidPayload(f"return {id_return} has no return units", external_id=id_return)
    out = []
    for n, unit in enumerate(units, start=1):
        if not isinstance(unit, dict) or not _text(unit.get("id_return_unit")):
            raise InvalidPayload(f"return {id_return}: unit {n} has no id_return_unit", external_id=id_return)
        if unit.get("status") not in UNIT_STATUSES:
            raise InvalidPayload(f"return {id_return}: unit {unit['id_return_unit']} has unknown status "
                                 f"{unit.get('status')!r}", external_id=id_return)
        if unit["status"] not in FINAL_UNIT_STATUSES:
            out.append(unit)
    return out


def _line_key(unit: dict) -> tuple:
    order = unit["order_unit"]
    product = order.get("product") or {}
    return (order.get("id_offer") or product.get("id_product") or unit["id_order_unit"], order.get("price"),
            order.get("currency"), unit.get("reason"))


def _line(units: list[dict]) -> dict:
    units = sorted(units, key=lambda u: int(u["id_return_unit"]))
    first = units[0]["order_unit"]
    product = first.get("product") or {}
    eans = product.get("eans") or []
    notes = list(dict.fromkeys(n for n in (_text(u.get("note")) for u in units) if n))
    price = first.get("price")
    return {
        "external_line_id": str(units[0]["id_return_unit"]),
        "quantity": len(units),
        "sku": _text(first.get("id_offer")),
        "ean": _text(eans[0]) if eans else None,
        "title": _text(product.get("title")),
        "reason_code": _text(units[0].get("reason")),
        "customer_comment": "; ".join(notes) or None,
        "unit_price": str(Decimal(price) / 100) if isinstance(price, int) else None,
        "currency": _text(first.get("currency")) if isinstance(price, int) else None,
        "raw": {"id_return_units": [int(u["id_return_unit"]) for u in units],
                "id_order_units": [int(u["id_order_unit"]) for u in units],
                "id_product": product.get("id_product"), "storefront": units[0].get("storefront")},
    }


def return_to_canonical(ret: dict, units: list[dict]) -> dict:
    """A return (with ``buyer``) and its open units (each with ``order_unit``) as a canonical return dict."""
    id_return = str(ret["id_return"])
    flags: list[str] = []
    for unit in units:
        if not isinstance(unit.get("order_unit"), dict) or not _text(unit["order_unit"].get("id_order")):
            raise InvalidPayload(f"return {id_return}: unit {unit.get('id_return_unit')} has no order unit "
                                 f"(order unit {unit.get('id_order_unit')} is missing)", external_id=id_return)
    groups: dict[tuple, list[dict]] = {}
    for unit in units:
        groups.setdefault(_line_key(unit), []).append(unit)
    lines = sorted((_line(g) for g in groups.values()), key=lambda line: int(line["external_line_id"]))
    orders = list(dict.fromkeys(str(u["order_unit"]["id_order"]) for u in units))
    if len(orders) > 1:
        flags.append("multiple_orders")
    order = units[0]["order_unit"]
    shipping = _address(order.get("shipping_address"), flags)
    billing = _address(order.get("billing_address"), flags)
    buyer = ret.get("buyer") if isinstance(ret.get("buyer"), dict) else order.get("buyer") or {}
    phone = _text((order.get("shipping_address") or {}).get("phone")) if shipping else None
    method = ret["fulfillment_type"]
    return {
        "external_id": id_return,
        "marketplace_order_id": orders[0],
        "fulfilment": FULFILMENT[method].value,
        "fulfilment_method": method,
        "requested_at": ret.get("ts_created_iso"),
        "customer": {"name": (shipping or billing or {}).get("name"), "email": _text(buyer.get("email")),
                     "phone": phone, "address": shipping},
        "invoice_address": billing,
        "lines": lines,
        "flags": flags,
        "raw": {"id_return": int(ret["id_return"]), "status": ret.get("status"), "storefront": ret.get("storefront"),
                "tracking_code": ret.get("tracking_code"), "tracking_provider": ret.get("tracking_provider"),
                "id_orders": orders},
    }
