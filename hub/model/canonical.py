"""Plain dataclasses for the canonical return, as plugins read and build them.

Marketplace plugins return dicts in this shape (validated by ``hub.model.schemas``); the core
hands shop and marketplace adapters these dataclasses, filled from the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.model.enums import Decision, Fulfilment, State


@dataclass
class Address:
    street: str | None = None
    house_number: str | None = None
    house_number_extension: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    name: str | None = None
    company: str | None = None


@dataclass
class Customer:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None


@dataclass
class Line:
    external_line_id: str
    quantity: int
    sku: str | None = None
    ean: str | None = None
    title: str | None = None
    reason_code: str | None = None
    reason_text: str | None = None
    customer_comment: str | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Filled by the core from the database:
    id: int | None = None
    decision: Decision | None = None
    decision_quantity: int | None = None
    decision_note: str | None = None
    pushed: bool = False


@dataclass
class Return:
    external_id: str
    marketplace_order_id: str
    lines: list[Line]
    requested_at: datetime
    fulfilment: Fulfilment = Fulfilment.MERCHANT
    fulfilment_method: str | None = None  # the platform's own name: FBB, FBA, FBR, ...
    customer: Customer | None = None
    invoice_address: Address | None = None
    flags: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    # What the merchant must do outside Returnhub before this return can go on (an OTTO misdirected parcel
    # to have forwarded, ...), in one or two sentences; None when nothing. The overview's "Requires action".
    merchant_action: str | None = None
    # Filled by the core from the database:
    id: int | None = None
    connection_id: int | None = None
    state: State | None = None
    shop_order_id: str | None = None
    shop_return_id: str | None = None
    is_test: bool = False

    @property
    def reference(self) -> str:
        """The hub's own reference, stored in the shop so a retried create finds its earlier result."""
        return f"returnhub-{self.connection_id}-{self.external_id}"


@dataclass
class OrderLine:
    """One line of a marketplace order as ``Marketplace.fetch_order`` gives it (what a return may name).

    ``external_line_id`` is the id the marketplace's returns and decisions use for it (a Zalando order
    line, an OTTO position item, a bol order item); ``raw`` is copied to the registered return's line, so
    it carries what ``push_decision`` needs.
    """

    external_line_id: str
    quantity: int
    sku: str | None = None
    ean: str | None = None
    title: str | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Order:
    """A marketplace order, for registering a return by hand: its lines, customer and fulfilment.

    ``raw`` is copied to the registered return's ``raw`` (what ``push_decision`` reads there).
    """

    order_id: str
    lines: list[OrderLine]
    customer: Customer | None = None
    fulfilment: Fulfilment = Fulfilment.MERCHANT
    fulfilment_method: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class LineDecision:
    """The merchant's decision on one line, covering ``quantity`` items."""

    external_line_id: str
    decision: Decision | None
    quantity: int | None = None
    note: str | None = None
    raw: str | None = None  # the platform's own value, kept when it is not one of the six


@dataclass
class ReturnDecisions:
    """What a shop reports for one return: a decision per line (a whole-return shop sets all alike)."""

    return_id: int
    lines: list[LineDecision]


@dataclass
class Quarantined:
    """A fetched item the plugin could not map; stored with its reason, the batch goes on."""

    reason: str
    raw: Any
    external_id: str | None = None


@dataclass
class Page:
    """One page of a marketplace fetch: items (dicts in canonical shape, or Quarantined) and the next cursor.

    ``more`` says another page is available right now; ``cursor`` is stored either way and handed
    back on the next call, so a poll resumes where the last one ended.
    """

    items: list[Any]
    cursor: str | None
    more: bool = False
