"""Conversion between database rows and the canonical dataclasses plugins see."""
from __future__ import annotations

from dataclasses import asdict

from hub.db import ReturnLine, ReturnRow
from hub.db.models import search_name_of
from hub.model import Address, Customer, Decision, Fulfilment, Line, Return, State


def _address(data: dict | None) -> Address | None:
    return Address(**data) if data else None


def _customer(data: dict | None) -> Customer | None:
    if not data:
        return None
    data = dict(data)
    return Customer(address=_address(data.pop("address", None)), **data)


def to_canonical(row: ReturnRow) -> Return:
    """The return as adapters get it: canonical fields plus the hub's ids and per-line decisions."""
    return Return(
        id=row.id, connection_id=row.connection_id, external_id=row.external_id,
        marketplace_order_id=row.marketplace_order_id, shop_order_id=row.shop_order_id,
        shop_return_id=row.shop_return_id, fulfilment=Fulfilment(row.fulfilment),
        fulfilment_method=row.fulfilment_method, customer=_customer(row.customer),
        invoice_address=_address(row.invoice_address), requested_at=row.requested_at,
        state=State(row.state), flags=list(row.flags or []), raw=dict(row.raw or {}), is_test=row.is_test,
        merchant_action=row.merchant_action, lines=[to_line(line) for line in row.lines],
    )


def to_line(line: ReturnLine) -> Line:
    return Line(
        id=line.id, external_line_id=line.external_line_id, quantity=line.quantity, sku=line.sku,
        ean=line.ean, title=line.title, reason_code=line.reason_code, reason_text=line.reason_text,
        customer_comment=line.customer_comment, unit_price=line.unit_price, currency=line.currency,
        raw=dict(line.raw or {}), decision=Decision(line.decision) if line.decision else None,
        decision_quantity=line.decision_quantity, decision_note=line.decision_note,
        pushed=line.pushed_at is not None,
    )


def new_row(connection_id: int, ret: Return) -> ReturnRow:
    """A database row for a freshly fetched, validated return (or an API test return)."""
    customer = asdict(ret.customer) if ret.customer else None
    return ReturnRow(
        connection_id=connection_id, external_id=ret.external_id,
        marketplace_order_id=ret.marketplace_order_id, fulfilment=ret.fulfilment.value,
        fulfilment_method=ret.fulfilment_method, customer=customer, search_name=search_name_of(customer),
        invoice_address=asdict(ret.invoice_address) if ret.invoice_address else None,
        requested_at=ret.requested_at, state=State.RECEIVED.value, flags=list(ret.flags),
        raw=ret.raw, is_test=ret.is_test, attempts=0, merchant_action=ret.merchant_action,
        lines=[ReturnLine(
            external_line_id=line.external_line_id, sku=line.sku, ean=line.ean, title=line.title,
            quantity=line.quantity, reason_code=line.reason_code, reason_text=line.reason_text,
            customer_comment=line.customer_comment, unit_price=line.unit_price, currency=line.currency,
            raw=line.raw,
        ) for line in ret.lines],
    )
