"""Fruugo order XML <-> canonical: parse a download (defusedxml, the body is untrusted), check each order,
and turn the lines with announced, unreturned items into a canonical return.

A Fruugo order line counts ``returnAnnouncedItems`` (the customer said they send them back) and
``returnedItems`` (the retailer confirmed the return). The open return of a line is the difference;
Fruugo confirms whole lines, so the canonical line quantity is that difference and ``raw.returned_before``
keeps ``returnedItems`` as read, so a repeated push can see a confirmation already made.
"""
from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from hub.errors import InvalidPayload, PermanentError
from hub.model import Decision, Fulfilment

NS = "https://www.fruugo.com/orders/schema"
ORDER_STATUSES = frozenset({"PENDING", "CONFIRMED", "SHIPPING", "SHIPPED", "CANCELLED", "RETURNED", "CORRECTED",
                            "PARTIALLY_SHIPPED", "PARTIALLY_CANCELLED", "PARTIALLY_RETURNED"})
COUNTERS = ("totalNumberOfItems", "returnAnnouncedItems", "returnedItems")


def q(name: str) -> str:
    """The qualified tag of a Fruugo order element."""
    return f"{{{NS}}}{name}"


def text(el: Element | None, name: str) -> str | None:
    """The stripped text of child ``name`` (None when missing or empty)."""
    child = el.find(q(name)) if el is not None else None
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def parse_orders(body: bytes | str) -> list[Element]:
    """The ``<o:order>`` elements of a download; InvalidPayload when the document is not Fruugo order XML."""
    try:
        root = SafeET.fromstring(body)
    except (ParseError, DefusedXmlException) as exc:
        raise InvalidPayload(f"Fruugo's order download is not readable XML: {exc}",
                             raw={"xml": str(body[:2000])}) from None
    if root.tag != q("orders"):
        raise InvalidPayload(f"Fruugo's order download has root <{root.tag}>, expected <o:orders>",
                             raw={"xml": str(body[:2000])})
    return root.findall(q("order"))


def as_raw(order: Element) -> dict:
    """An order element kept for a quarantine entry (readable text, bounded)."""
    return {"xml": tostring(order, encoding="unicode")[:20000]}


def count(line: Element, name: str) -> int | None:
    """A whole, non-negative counter of an order line (None when unreadable)."""
    value = text(line, name)
    return int(value) if value is not None and value.isdigit() else None


def check_order(order: Element) -> str:
    """The order's id when it is usable; InvalidPayload with a readable reason otherwise."""
    oid = text(order, "orderId")
    if not oid or not oid.isdigit():
        raise InvalidPayload(f"order has no numeric orderId ({oid!r})", raw=as_raw(order))
    status = text(order, "orderStatus")
    if status not in ORDER_STATUSES:
        raise InvalidPayload(f"order {oid} has unknown orderStatus {status!r} (known: "
                             f"{', '.join(sorted(ORDER_STATUSES))})", external_id=oid, raw=as_raw(order))
    if not text(order, "orderReleaseDate"):
        raise InvalidPayload(f"order {oid} has no orderReleaseDate", external_id=oid, raw=as_raw(order))
    lines = order.findall(f"{q('orderLines')}/{q('orderLine')}")
    if not lines:
        raise InvalidPayload(f"order {oid} has no orderLines", external_id=oid, raw=as_raw(order))
    for n, line in enumerate(lines, start=1):
        for name in ("fruugoProductId", "fruugoSkuId"):
            if not text(line, name):
                raise InvalidPayload(f"order {oid}: line {n} has no {name} (needed to confirm its return)",
                                     external_id=oid, raw=as_raw(order))
        for name in COUNTERS:
            if count(line, name) is None:
                raise InvalidPayload(f"order {oid}: line {n} has no whole {name} ({text(line, name)!r})",
                                     external_id=oid, raw=as_raw(order))
        if count(line, "returnedItems") > count(line, "returnAnnouncedItems"):
            raise InvalidPayload(f"order {oid}: line {n} has more returnedItems than returnAnnouncedItems",
                                 external_id=oid, raw=as_raw(order))
    return oid


def line_id(line: Element) -> str:
    """A line's id within its order: ``fruugoProductId:fruugoSkuId`` (what the return call names)."""
    return f"{text(line, 'fruugoProductId')}:{text(line, 'fruugoSkuId')}"


def open_lines(order: Element) -> list[Element]:
    """The lines with announced items not yet confirmed as returned."""
    return [line for line in order.findall(f"{q('orderLines')}/{q('orderLine')}")
            if count(line, "returnAnnouncedItems") - count(line, "returnedItems") > 0]


def lines_by_id(order: Element) -> dict[str, Element]:
    """Every line of an order by :func:`line_id`."""
    return {line_id(line): line for line in order.findall(f"{q('orderLines')}/{q('orderLine')}")}


def signature(order: Element) -> str:
    """The order's id plus its return counters: a new announcement makes a new key for de-duplication."""
    parts = [f"{line_id(line)}={count(line, 'returnAnnouncedItems')}/{count(line, 'returnedItems')}"
             for line in open_lines(order)]
    return f"{text(order, 'orderId')}|{','.join(parts)}"


def check_decision(decision: Decision | str | None) -> None:
    """PermanentError unless the decision is the one Fruugo takes (accepted = return confirmation)."""
    if decision is None:
        raise PermanentError("the line has no decision to send to Fruugo")
    if Decision(decision) != Decision.ACCEPTED:
        raise PermanentError(f"Fruugo has no action for '{Decision(decision).value}': its Order API only "
                             "confirms returns (accepted)")


def _line(line: Element) -> dict:
    price, currency = text(line, "itemPriceInclVat"), text(line, "currencyCode")
    return {
        "external_line_id": line_id(line),
        "quantity": count(line, "returnAnnouncedItems") - count(line, "returnedItems"),
        "sku": text(line, "skuId"),
        "title": text(line, "skuName"),
        "reason_code": None,
        "unit_price": price if price and currency else None,
        "currency": currency if price else None,
        "raw": {"fruugoProductId": text(line, "fruugoProductId"), "fruugoSkuId": text(line, "fruugoSkuId"),
                "returned_before": count(line, "returnedItems"),
                "announced": count(line, "returnAnnouncedItems"), "productId": text(line, "productId")},
    }


def order_to_canonical(order: Element, lines: list[Element]) -> dict[str, Any]:
    """A checked order and its open lines as a canonical return dict (requested_at: the release date,
    as the XML carries no announcement time)."""
    oid = text(order, "orderId")
    addr = order.find(q("shippingAddress"))
    name = " ".join(p for p in (text(addr, "firstName"), text(addr, "lastName")) if p) or None
    return {
        "external_id": oid,
        "marketplace_order_id": oid,
        "fulfilment": Fulfilment.MERCHANT.value,
        "fulfilment_method": "merchant",
        "requested_at": text(order, "orderReleaseDate"),
        "customer": {"name": name, "email": text(addr, "emailAddress"), "phone": text(addr, "phoneNumber"),
                     "address": None},
        "lines": [_line(line) for line in lines],
        "flags": [],
        "raw": {"orderId": oid, "customerOrderId": text(order, "customerOrderId"),
                "orderReleaseDate": text(order, "orderReleaseDate"), "orderStatus": text(order, "orderStatus")},
    }
