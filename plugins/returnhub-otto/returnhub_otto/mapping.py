"""OTTO <-> canonical: position items of the returns list, grouped per order, as canonical return dicts.

OTTO decides per position item (one unit of one order line). The fresh open items of one sales
order, status and return parcel read in one import step become one return; items of the same
SKU and price are one line whose quantity is their count, ``raw.position_item_ids`` keeping which
items it stands for. SKU, price and addresses come from the order (Orders v4).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from hub.errors import InvalidPayload
from returnhub_otto.codes import OPEN_STATUSES, STATUSES

# ISO 3166-1 alpha-3 (OTTO's addresses) -> alpha-2 (the hub's) for the countries OTTO delivers to and near ones.
ALPHA3 = {"DEU": "DE", "AUT": "AT", "CHE": "CH", "NLD": "NL", "BEL": "BE", "LUX": "LU", "FRA": "FR", "POL": "PL",
          "CZE": "CZ", "DNK": "DK", "ITA": "IT", "ESP": "ES", "SWE": "SE", "GBR": "GB", "LIE": "LI"}
MISDIRECTED_FLAG = "misdirected"


def misdirected_step(warehouse: str | None) -> str:
    """What the merchant does about an item the customer sent to an OTTO warehouse (shown on the return)."""
    where = f"OTTO warehouse {warehouse}" if warehouse else "an OTTO warehouse"
    return (f"The customer sent this return to {where}, not to you. Contact OTTO partner "
            "support in OTTO Partner Connect with the order number and position item ids to have it forwarded; "
            "decide it once it reached you (accepting refunds the customer at once and cannot be undone).")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def check_item(row: Any) -> str:
    """The position item's id when its list entry is usable; InvalidPayload with the reason otherwise."""
    if not isinstance(row, dict):
        raise InvalidPayload("a returned position item is not an object", raw=row)
    item_id, order_id = _text(row.get("positionItemId")), _text(row.get("salesOrderId"))
    if not item_id or not order_id:
        raise InvalidPayload("returned position item without positionItemId or salesOrderId",
                             external_id=item_id, raw=row)
    if row.get("status") not in STATUSES:
        raise InvalidPayload(f"position item {item_id} has unknown return status {row.get('status')!r} "
                             f"(known: {', '.join(STATUSES)})", external_id=item_id, raw=row)
    return item_id


def _tracking(row: dict) -> tuple:
    key = (row.get("details") or {}).get("returnTrackingKey") or {}
    numbers = key.get("trackingNumbers") or ([key["trackingNumber"]] if key.get("trackingNumber") else [])
    return tuple(sorted(str(n) for n in numbers))


def group_items(rows: list[dict]) -> list[dict]:
    """Open position items grouped by (sales order, status, return parcel), each group with its external id."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["status"] in OPEN_STATUSES:
            groups.setdefault((row["salesOrderId"], row["status"], _tracking(row)), []).append(row)
    out = []
    for (order_id, status, _), items in groups.items():
        items = sorted(items, key=lambda r: str(r["positionItemId"]))
        out.append({"external_id": f"{order_id}-{items[0]['positionItemId']}", "sales_order_id": order_id,
                    "status": status, "items": items})
    return out


def _address(addr: Any, flags: list[str]) -> dict | None:
    if not isinstance(addr, dict):
        return None
    name = " ".join(p for p in (_text(addr.get("firstName")), _text(addr.get("lastName"))) if p) or None
    code = _text(addr.get("countryCode"))
    country = ALPHA3.get(code.upper()) if code else None
    if code and country is None:
        flags.append(f"country_not_mapped:{code}")
    return {"name": name, "company": None, "street": _text(addr.get("street")),
            "house_number": _text(addr.get("houseNumber")), "house_number_extension": _text(addr.get("addition")),
            "postal_code": _text(addr.get("zipCode")), "city": _text(addr.get("city")), "country_code": country}


def _price(position: dict) -> tuple[str | None, str | None]:
    amount = position.get("itemValueGrossPrice") or {}
    try:
        value = Decimal(str(amount.get("amount")))
    except (InvalidOperation, ValueError):
        return None, None
    return (str(value), _text(amount.get("currency"))) if value.is_finite() else (None, None)


def _line(items: list[dict], positions: dict[str, dict], warehouse: str | None) -> dict:
    position = positions[items[0]["positionItemId"]]
    product = position.get("product") or {}
    price, currency = _price(position)
    details = [i.get("details") or {} for i in items]
    reason = next((_text(d.get("reason")) for d in details if _text(d.get("reason"))), None)
    misdirected = items[0]["status"] == "MISDIRECTED"
    return {
        "external_line_id": str(items[0]["positionItemId"]),
        "quantity": len(items),
        "sku": _text(product.get("sku")),
        "ean": _text(product.get("ean")),
        "title": _text(product.get("productTitle")),
        "reason_code": reason,
        "reason_text": (f"Misdirected: sent to OTTO warehouse {warehouse or '(unknown)'}" if misdirected else None),
        "unit_price": price,
        "currency": currency if price is not None else None,
        "raw": {"position_item_ids": [str(i["positionItemId"]) for i in items],
                "sales_order_id": str(items[0]["salesOrderId"]), "status": items[0]["status"],
                "article_number": product.get("articleNumber")},
    }


def return_to_canonical(group: dict, order: dict) -> dict:
    """A group of returned position items and their order (Orders v4) as a canonical return dict."""
    external_id, order_id = group["external_id"], group["sales_order_id"]
    if not isinstance(order, dict) or not isinstance(order.get("positionItems"), list):
        raise InvalidPayload(f"order {order_id} has no position items", external_id=external_id)
    positions = {str(p.get("positionItemId")): p for p in order["positionItems"] if isinstance(p, dict)}
    missing = [i["positionItemId"] for i in group["items"] if str(i["positionItemId"]) not in positions]
    if missing:
        raise InvalidPayload(f"order {order_id} has no position item {missing[0]} (returned item unknown to the "
                             "Orders API)", external_id=external_id)
    flags: list[str] = []
    warehouse = next((_text((i.get("details") or {}).get("ottoWarehouseID")) for i in group["items"]
                      if _text((i.get("details") or {}).get("ottoWarehouseID"))), None)
    misdirected = group["status"] == "MISDIRECTED"
    if misdirected:
        flags.append(MISDIRECTED_FLAG)
    lines: dict[tuple, list[dict]] = {}
    for item in group["items"]:
        position = positions[str(item["positionItemId"])]
        product = position.get("product") or {}
        lines.setdefault((product.get("sku"), _price(position)), []).append(item)
    shipping = _address(order.get("deliveryAddress"), flags)
    billing = _address(order.get("invoiceAddress"), flags)
    delivery = order.get("deliveryAddress") or {}
    tracking = _tracking(group["items"][0])
    return {
        "external_id": external_id,
        "marketplace_order_id": order_id,
        "fulfilment": "merchant",
        "fulfilment_method": "partner",
        "requested_at": min(str(i.get("occurredTime")) for i in group["items"]),
        "customer": {"name": (shipping or billing or {}).get("name"), "email": _text(delivery.get("email")),
                     "phone": _text(delivery.get("phoneNumber")), "address": shipping},
        "invoice_address": billing,
        "lines": sorted((_line(items, positions, warehouse) for items in lines.values()),
                        key=lambda line: line["external_line_id"]),
        "flags": list(dict.fromkeys(flags)),
        "merchant_action": misdirected_step(warehouse) if misdirected else None,
        "raw": {"sales_order_id": order_id, "order_number": order.get("orderNumber"), "status": group["status"],
                "otto_warehouse_id": warehouse, "tracking_numbers": list(tracking),
                "carrier": ((group["items"][0].get("details") or {}).get("returnTrackingKey") or {}).get("carrier")},
    }


def order(data: Any) -> dict | None:
    """An order (Orders v4) as ``hub.model.Order`` fields: one line per position item (one unit each, as OTTO
    decides), with the ids ``push_decision`` reads in ``raw``; None when it is not an order."""
    if not isinstance(data, dict) or not isinstance(data.get("positionItems"), list):
        return None
    order_id = str(data.get("salesOrderId"))
    lines = []
    for position in data["positionItems"]:
        if not isinstance(position, dict) or not _text(position.get("positionItemId")):
            continue
        product = position.get("product") or {}
        price, currency = _price(position)
        item_id = str(position["positionItemId"])
        lines.append({"external_line_id": item_id, "quantity": 1, "sku": _text(product.get("sku")),
                      "ean": _text(product.get("ean")), "title": _text(product.get("productTitle")),
                      "unit_price": price, "currency": currency if price is not None else None,
                      "raw": {"position_item_ids": [item_id], "sales_order_id": order_id,
                              "fulfillment_status": position.get("fulfillmentStatus")}})
    flags: list[str] = []
    shipping = _address(data.get("deliveryAddress"), flags)
    delivery = data.get("deliveryAddress") or {}
    return {"order_id": order_id, "lines": lines, "fulfilment_method": "partner",
            "customer": {"name": (shipping or {}).get("name"), "email": _text(delivery.get("email")),
                         "phone": _text(delivery.get("phoneNumber")), "address": shipping},
            "raw": {"sales_order_id": order_id, "order_number": data.get("orderNumber")}}
