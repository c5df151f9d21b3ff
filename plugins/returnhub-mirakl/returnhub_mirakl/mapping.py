"""Mirakl data to the canonical return (RT11 returns joined with their OR11 orders, or incident order lines),
and Mirakl's record of a return back to the hub's decisions."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from hub.errors import InvalidPayload
from hub.model import Decision

# Mirakl addresses carry ISO 3166-1 alpha-3 codes; the canonical address has alpha-2.
ALPHA3 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "CHE": "CH", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK",
    "ESP": "ES", "EST": "EE", "FIN": "FI", "FRA": "FR", "GBR": "GB", "GRC": "GR", "HRV": "HR", "HUN": "HU",
    "IRL": "IE", "ISL": "IS", "ITA": "IT", "LIE": "LI", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MCO": "MC",
    "MLT": "MT", "NLD": "NL", "NOR": "NO", "POL": "PL", "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI",
    "SWE": "SE", "USA": "US", "CAN": "CA", "AND": "AD", "GLP": "GP", "MTQ": "MQ", "REU": "RE", "GUF": "GF",
}


def country(code: str | None) -> str | None:
    """Alpha-2 from Mirakl's alpha-3 (or alpha-2) country code; None when unknown."""
    if not code:
        return None
    code = code.strip().upper()
    return code if len(code) == 2 else ALPHA3.get(code)


def _price(value) -> str | None:
    if value is None:
        return None
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return None


def customer(order: dict | None) -> tuple[dict | None, dict | None, list[str]]:
    """(customer, invoice address, flags) from an OR11 order's customer block."""
    if not order or not isinstance(order.get("customer"), dict):
        return None, None, ["no_customer_address"]
    data = order["customer"]
    flags = []

    def address(raw: dict | None) -> dict | None:
        if not raw:
            return None
        code = country(raw.get("country_iso_code"))
        if raw.get("country_iso_code") and code is None:
            flags.append("unknown_country")
        name = " ".join(p for p in (raw.get("firstname"), raw.get("lastname")) if p) or None
        street = ", ".join(p for p in (raw.get("street_1"), raw.get("street_2")) if p) or None
        return {"street": street, "postal_code": raw.get("zip_code"), "city": raw.get("city"), "country_code": code,
                "name": name, "company": raw.get("company")}

    shipping = address(data.get("shipping_address"))
    name = " ".join(p for p in (data.get("firstname"), data.get("lastname")) if p) or None
    phone = (data.get("shipping_address") or {}).get("phone")
    return {"name": name, "address": shipping, "phone": phone}, address(data.get("billing_address")), flags


def _lines_of(order: dict | None) -> dict[str, dict]:
    return {str(line["order_line_id"]): line for line in (order or {}).get("order_lines") or []}


def _line(order_line: dict | None, line_id: str, quantity: int, reason: str | None, currency: str | None) -> dict:
    ol = order_line or {}
    price = _price(ol.get("price_unit"))
    return {"external_line_id": line_id, "quantity": quantity, "sku": ol.get("offer_sku"),
            "title": ol.get("product_title"), "reason_code": reason, "unit_price": price,
            "currency": currency if price is not None else None,
            "raw": {k: ol[k] for k in ("offer_id", "product_sku", "order_line_state") if k in ol}}


def return_to_canonical(ret: dict, order: dict | None, operator_key: str) -> dict:
    """An RT11 return (and its order, when found) as a canonical dict; InvalidPayload when it cannot be one."""
    rid = ret.get("id")
    if not rid:
        raise InvalidPayload("a Mirakl return without an id", raw=ret)
    if not ret.get("order_id") or not ret.get("return_lines"):
        raise InvalidPayload(f"Mirakl return {rid} has no order or no lines", external_id=str(rid), raw=ret)
    by_id = _lines_of(order)
    currency = (order or {}).get("currency_iso_code")
    lines = []
    for item in ret["return_lines"]:
        line_id = str(item.get("order_line_id") or "")
        quantity = item.get("quantity")
        if not line_id or not isinstance(quantity, int) or quantity < 1:
            raise InvalidPayload(f"Mirakl return {rid}: a line without order_line_id or quantity",
                                 external_id=str(rid), raw=ret)
        lines.append(_line(by_id.get(line_id), line_id, quantity, item.get("reason_code"), currency))
    cust, invoice, flags = customer(order)
    if order is None:
        flags.append("order_not_found_at_marketplace")
    if ret.get("method_code") == "RETURN_METHOD_RETURNLESS":
        flags.append("returnless")
    return {
        "external_id": str(rid), "marketplace_order_id": str(ret["order_id"]), "lines": lines,
        "requested_at": ret.get("date_created"), "customer": cust, "invoice_address": invoice, "flags": flags,
        "raw": {"operator": operator_key, "rma": ret.get("rma"), "state": ret.get("state"),
                "method_code": ret.get("method_code"), "order_commercial_id": ret.get("order_commercial_id"),
                "reason_code": ret.get("reason_code"), "module": "returns"},
    }


INCIDENT_STATES = {"INCIDENT_OPEN"}


def incident_to_canonical(order: dict, operator_key: str) -> dict | None:
    """An OR11 order's lines with an open incident as one return (operators without the returns module)."""
    lines = [line for line in order.get("order_lines") or [] if line.get("order_line_state") in INCIDENT_STATES]
    if not lines:
        return None
    currency = order.get("currency_iso_code")
    cust, invoice, flags = customer(order)
    opened = min((line.get("last_updated_date") or order.get("last_updated_date") for line in lines), default=None)
    return {
        "external_id": f"incident-{order['order_id']}", "marketplace_order_id": str(order["order_id"]),
        "lines": [_line(line, str(line["order_line_id"]), int(line.get("quantity") or 1),
                        line.get("order_line_state_reason_code"), currency) for line in lines],
        "requested_at": opened or order.get("created_date"), "customer": cust, "invoice_address": invoice,
        "flags": flags, "raw": {"operator": operator_key, "module": "incidents",
                                "order_commercial_id": order.get("commercial_id")},
    }


def decisions_recorded(ret: dict, refunds: dict[str, int]) -> dict[str, Decision]:
    """What Mirakl's record of a return says was decided, per order line (for tests and the kit).

    ``refunds``: units refunded per order line. REFUSED → rejected, CANCELED → cancelled; a
    compliant line → accepted, a non-compliant one → rejected; a refunded line never received → kept.
    """
    state = ret.get("state")
    out = {}
    for line in ret.get("return_lines") or []:
        line_id = str(line["order_line_id"])
        compliance = (line.get("compliance") or [{}])[-1]
        if state == "REFUSED":
            out[line_id] = Decision.REJECTED
        elif state == "CANCELED":
            out[line_id] = Decision.CANCELLED
        elif compliance.get("compliant") is True:
            out[line_id] = Decision.ACCEPTED
        elif compliance.get("compliant") is False:
            out[line_id] = Decision.REJECTED
        elif refunds.get(line_id):
            out[line_id] = Decision.KEPT
    return out
