"""Zalando -> canonical: ZSS returned order lines and ZRS customer-returned items as informational returns.

Orders are JSON:API documents (Order with included OrderItem and OrderLine resources). Each
Zalando order line is one unit; a ZSS return is one returned line, a ZRS return one returned item.
"""
from __future__ import annotations

from typing import Any

from hub.errors import InvalidPayload
from returnhub_zalando.codes import REASONS

ZSS, ZRS = "ZSS", "ZRS"


def _text(value: Any) -> str | None:
    return None if value is None else (str(value).strip() or None)


def _price(value: Any) -> str | None:
    return None if value is None else str(value)


def as_moment(value: Any) -> str | None:
    """A date-only value (``2026-11-29``) as midnight UTC; a timestamp unchanged."""
    text = _text(value)
    return f"{text}T00:00:00Z" if text and len(text) == 10 else text


def index(document: dict) -> tuple[list[dict], dict[str, dict]]:
    """The orders of a JSON:API document and its included resources by (type, id)."""
    data = document.get("data") if isinstance(document, dict) else None
    orders = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    included = {(r.get("type"), str(r.get("id"))): r for r in document.get("included") or [] if isinstance(r, dict)}
    return orders, included


def _related(resource: dict, name: str) -> list[tuple[str, str]]:
    rel = ((resource.get("relationships") or {}).get(name) or {}).get("data") or []
    return [(r.get("type"), str(r.get("id"))) for r in rel if isinstance(r, dict)]


def order_lines(order: dict, included: dict) -> list[tuple[dict, dict]]:
    """(order item, order line) pairs of an order."""
    pairs = []
    for key in _related(order, "order_items"):
        item = included.get(key)
        if item is None:
            continue
        for line_key in _related(item, "order_lines"):
            line = included.get(line_key)
            if line is not None:
                pairs.append((item, line))
    return pairs


def find_line(document: dict, line_id: str) -> tuple[dict, dict] | None:
    """The (item, line) of an order document holding ``line_id``."""
    orders, included = index(document)
    for order in orders:
        for item, line in order_lines(order, included):
            if str(line.get("id")) == str(line_id):
                return item, line
    return None


def _customer(attrs: dict) -> dict:
    addr = attrs.get("shipping_address") or {}
    name = " ".join(p for p in (_text(addr.get("first_name")), _text(addr.get("last_name"))) if p) or None
    country = _text(addr.get("country_code"))
    return {"name": name, "email": _text(attrs.get("customer_email")),
            "address": {"name": name, "street": _text(addr.get("address_line_1")), "house_number": None,
                        "postal_code": _text(addr.get("zip_code")), "city": _text(addr.get("city")),
                        "country_code": country.upper() if country and len(country) == 2 else None}}


def zss_return(order: dict, item: dict, line: dict) -> dict:
    """One order line Zalando set to ``returned`` (ZSS) as a canonical return dict."""
    attrs, item_attrs, line_attrs = order.get("attributes") or {}, item.get("attributes") or {}, line.get("attributes") or {}
    order_id, line_id = _text(order.get("id")), _text(line.get("id"))
    if not order_id or not line_id:
        raise InvalidPayload("order or order line without id", raw=order)
    reason = line_attrs.get("reason")
    return {
        "external_id": f"zss-{line_id}", "marketplace_order_id": order_id,
        "requested_at": _text(line_attrs.get("last_updated") or attrs.get("modified_at")),
        "customer": _customer(attrs), "fulfilment": "marketplace", "fulfilment_method": ZSS,
        "flags": ["informational: Zalando (ZSS) set this order line to returned and refunds the customer"],
        "lines": [{"external_line_id": line_id, "sku": _text(item_attrs.get("article_id")),
                   "ean": _text(item_attrs.get("ean")), "title": _text(item_attrs.get("description")),
                   "quantity": 1, "unit_price": _price(line_attrs.get("price_amount")),
                   "currency": _text(line_attrs.get("price_currency")),
                   "reason_code": REASONS.get(reason) if isinstance(reason, int) else None,
                   "raw": {"order_item_id": _text(item.get("id"))}}],
        "raw": {"order_number": _text(attrs.get("order_number")), "order_id": order_id, "source": ZSS}}


def zrs_id(row: dict) -> str:
    """A stable id of a ZRS returned item: its own id, else order number + EAN + date + position."""
    own = _text(row.get("id") or row.get("returned_item_id"))
    if own:
        return own
    parts = [_text(row.get(k)) for k in ("order_number", "ean", "returned_date")]
    if not all(parts[:2]):
        raise InvalidPayload("ZRS returned item without id, order_number or ean", raw=row)
    return "-".join(p for p in parts if p)


def zrs_return(row: dict) -> dict:
    """One item received by a Zalando return centre (ZRS) as a canonical return dict."""
    if not isinstance(row, dict):
        raise InvalidPayload("a ZRS returned item is not an object", raw=row)
    item_id = zrs_id(row)
    order = _text(row.get("order_number"))
    centre = _text(row.get("return_center") or row.get("warehouse"))
    return {
        "external_id": f"zrs-{item_id}", "marketplace_order_id": order or item_id,
        "requested_at": as_moment(row.get("returned_date")), "fulfilment": "marketplace", "fulfilment_method": ZRS,
        "customer": {"name": None, "email": None},
        "flags": [f"informational: received by Zalando return centre {centre or ''}".strip()
                  + "; Zalando inspects the item and refunds the customer"],
        "lines": [{"external_line_id": item_id, "sku": _text(row.get("sku") or row.get("config_sku")),
                   "ean": _text(row.get("ean")), "title": _text(row.get("article_name")),
                   "quantity": int(row.get("quantity") or 1), "reason_code": _text(row.get("return_reason")),
                   "reason_text": _text(row.get("return_reason_description"))}],
        "raw": {"order_number": order, "source": ZRS, "return_center": centre}}


def order(document: dict) -> dict | None:
    """A Zalando order document as ``hub.model.Order`` fields: one line per order line (one unit each), its
    item's article id, EAN and description, the item id in ``raw`` (the PATCH path needs it)."""
    orders, included = index(document)
    if not orders:
        return None
    found = orders[0]
    attrs = found.get("attributes") or {}
    lines = []
    for item, line in order_lines(found, included):
        item_attrs, line_attrs = item.get("attributes") or {}, line.get("attributes") or {}
        price = _price(line_attrs.get("price_amount"))
        lines.append({"external_line_id": str(line.get("id")), "quantity": 1,
                      "sku": _text(item_attrs.get("article_id")), "ean": _text(item_attrs.get("ean")),
                      "title": _text(item_attrs.get("description")), "unit_price": price,
                      "currency": _text(line_attrs.get("price_currency")) if price is not None else None,
                      "raw": {"order_item_id": _text(item.get("id")), "status": _text(line_attrs.get("status"))}})
    return {"order_id": str(found.get("id")), "lines": lines, "customer": _customer(attrs),
            "raw": {"order_id": str(found.get("id")), "order_number": _text(attrs.get("order_number"))}}
