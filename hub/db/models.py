"""The tables. Returns, lines and events hold all business state; Redis holds none."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from hub import clock


def utcnow() -> datetime:
    """Column default: aware UTC now from the injectable clock."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use timezone-aware UTC")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Merchant(Base):
    __tablename__ = "merchant"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8))  # en, nl, fr, de; None: the browser's
    merchant: Mapped[Merchant] = relationship()


class Connection(Base):
    """One merchant's marketplace account linked to one shop account."""

    __tablename__ = "connection"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    marketplace: Mapped[str] = mapped_column(String(64))
    marketplace_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shop: Mapped[str] = mapped_column(String(64))
    shop_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    returns_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(32), default="active")  # active | needs_reauth
    status_reason: Mapped[str | None] = mapped_column(Text)
    webhook_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_poll_at: Mapped[datetime | None]
    last_decision_poll_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    merchant: Mapped[Merchant] = relationship()

    @property
    def active(self) -> bool:
        return self.returns_enabled and self.status == "active"


class SyncCursor(Base):
    """Where the last poll of a connection ended (per cursor name: marketplace, decisions)."""

    __tablename__ = "sync_cursor"

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


SEARCH_NAME_LENGTH = 255


def search_name_of(customer: dict[str, Any] | None) -> str | None:
    """The customer's name as the returns overview searches it: lower-cased here (Python's ``str.lower``,
    so non-ASCII letters fold on SQLite too, whose lower() knows only ASCII), cut to the column's length.

    Written with the return (``hub.sync.records.new_row``; a bulk load must set it too), so a search by
    name reads a narrow index instead of every return's JSON.
    """
    name = customer.get("name") if isinstance(customer, dict) else None
    return name.lower()[:SEARCH_NAME_LENGTH] if isinstance(name, str) and name else None


class ReturnRow(Base):
    """A canonical return and its place in the pipeline."""

    __tablename__ = "return_request"
    __table_args__ = (
        UniqueConstraint("connection_id", "external_id", name="uq_return_connection_external"),
        Index("ix_return_due", "connection_id", "state", "next_attempt_at"),
        Index("ix_return_connection_requested", "connection_id", "requested_at"),
        Index("ix_return_connection_updated", "connection_id", "updated_at"),
        # the overview's search within ids and names reads this index only, never the rows (migration 0005)
        Index("ix_return_search", "connection_id", "search_name", "marketplace_order_id", "external_id",
              "shop_order_id", "id"),
        Index("ix_return_retention", "anonymised_at", "state", "updated_at"),  # migration 0006
        # the reconciler finds the connections with due returns in a state without reading the others (0010)
        Index("ix_return_state_connection", "state", "connection_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(128))
    marketplace_order_id: Mapped[str] = mapped_column(String(128), index=True)
    shop_order_id: Mapped[str | None] = mapped_column(String(128))
    shop_return_id: Mapped[str | None] = mapped_column(String(255), index=True)
    fulfilment: Mapped[str] = mapped_column(String(32), default="merchant")
    fulfilment_method: Mapped[str | None] = mapped_column(String(32))
    customer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    search_name: Mapped[str | None] = mapped_column(String(SEARCH_NAME_LENGTH))  # search_name_of(customer)
    invoice_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(32), default="received")
    flags: Mapped[list[Any]] = mapped_column(default=list)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    waiting_since: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    attention_reason: Mapped[str | None] = mapped_column(Text)
    resume_state: Mapped[str | None] = mapped_column(String(32))
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]  # personal data removed (retention or erasure), migration 0006
    # what the merchant must do outside Returnhub (Return.merchant_action), migration 0009
    merchant_action: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    connection: Mapped[Connection] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="ret", order_by="ReturnLine.id", cascade="all, delete-orphan")
    events: Mapped[list[ReturnEvent]] = relationship(
        back_populates="ret", order_by="ReturnEvent.id", cascade="all, delete-orphan")


class ReturnLine(Base):
    """One returned item (SKU) with its quantity and the merchant's decision on it."""

    __tablename__ = "return_line"
    __table_args__ = (UniqueConstraint("return_id", "external_line_id", name="uq_line_return_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    external_line_id: Mapped[str] = mapped_column(String(128))
    sku: Mapped[str | None] = mapped_column(String(128), index=True)  # migration 0008
    ean: Mapped[str | None] = mapped_column(String(32), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer)
    reason_code: Mapped[str | None] = mapped_column(String(128))
    reason_text: Mapped[str | None] = mapped_column(Text)
    customer_comment: Mapped[str | None] = mapped_column(Text)
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    currency: Mapped[str | None] = mapped_column(String(3))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decision: Mapped[str | None] = mapped_column(String(32))
    decision_quantity: Mapped[int | None] = mapped_column(Integer)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decision_raw: Mapped[str | None] = mapped_column(String(128))  # a shop value not among the six
    decided_at: Mapped[datetime | None]
    pushed_at: Mapped[datetime | None]

    ret: Mapped[ReturnRow] = relationship(back_populates="lines")


class ReturnEvent(Base):
    """One state change of a return: its timeline."""

    __tablename__ = "return_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(Text)

    ret: Mapped[ReturnRow] = relationship(back_populates="events")


class QuarantinedItem(Base):
    """A fetched item that did not validate: kept with its reason, never silently dropped."""

    __tablename__ = "quarantined_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """Delivery ids of inbound webhooks already handled, so a redelivery has no second effect."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("connection_id", "delivery_id", name="uq_webhook_delivery"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), index=True)
    delivery_id: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- API tokens, the built-in api shop, outgoing webhooks (migration 0002) ---------------------

class ApiToken(Base):
    """A merchant's API token: only its SHA-256 is stored; shown once when created."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to recognise a token in lists
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ApiShopReturn(Base):
    """A return handed to a custom shop through the API (the built-in ``api`` shop): new until acknowledged."""

    __tablename__ = "api_shop_return"
    __table_args__ = (Index("ix_api_shop_return_new", "connection_id", "acknowledged_at"),)

    return_id: Mapped[int] = mapped_column(ForeignKey("return_request.id"), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"))
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    shop_return_id: Mapped[str | None] = mapped_column(String(255))


class WebhookEndpoint(Base):
    """Where a merchant wants return events sent; the signing secret is encrypted at rest."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    events: Mapped[list[Any]] = mapped_column(default=list)
    secret: Mapped[str] = mapped_column(Text)                 # SecretBox token
    previous_secret: Mapped[str | None] = mapped_column(Text)  # still signed with during rotation
    previous_secret_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(Base):
    """A return event written in the same transaction as its state change; fanned out after commit."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_undispatched", "dispatched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return_request.id"))
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]


class OutboundDelivery(Base):
    """One event to one endpoint: retried with backoff until delivered or given up (failed)."""

    __tablename__ = "outbound_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_outbound_event_endpoint"),
        Index("ix_outbound_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_event.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    event: Mapped[OutboxEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_log: Mapped[list[DeliveryAttempt]] = relationship(
        order_by="DeliveryAttempt.id", cascade="all, delete-orphan")


class DeliveryAttempt(Base):
    """One HTTP attempt of an outbound delivery: the delivery log."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("outbound_delivery.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    replay: Mapped[bool] = mapped_column(Boolean, default=False)
