"""The daily upkeep the scheduler runs: prune outgoing-webhook outbox and delivery rows and inbound
webhook delivery ids older than RETURNHUB_DELIVERY_RETENTION_DAYS (30 by default), and anonymise closed
returns past the personal-data retention (see :mod:`hub.privacy`)."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select

from hub import clock
from hub.db import WebhookDelivery
from hub.db.models import DeliveryAttempt, OutboundDelivery, OutboxEvent

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 6 * 3600
BATCH = 1000


def prune_deliveries(hub, days: int | None = None) -> dict[str, int]:
    """Delete outbox events (with their deliveries and attempts) and inbound delivery ids older than
    ``days``; the number of rows removed per table."""
    days = hub.config.delivery_retention_days if days is None else days
    cutoff = clock.now() - timedelta(days=days)
    removed = {"outbox_event": 0, "outbound_delivery": 0, "delivery_attempt": 0, "webhook_delivery": 0}
    while True:
        with hub.session() as s:
            events = list(s.scalars(select(OutboxEvent.id).where(OutboxEvent.created_at < cutoff)
                                    .order_by(OutboxEvent.id).limit(BATCH)))
            if events:
                deliveries = select(OutboundDelivery.id).where(OutboundDelivery.event_id.in_(events))
                removed["delivery_attempt"] += s.execute(
                    delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(deliveries))).rowcount
                removed["outbound_delivery"] += s.execute(
                    delete(OutboundDelivery).where(OutboundDelivery.event_id.in_(events))).rowcount
                removed["outbox_event"] += s.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(events))).rowcount
        if len(events) < BATCH:
            break
    with hub.session() as s:
        removed["webhook_delivery"] = s.execute(
            delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff)).rowcount
    return removed


def housekeeping() -> dict:
    """The scheduled job: prune deliveries, anonymise closed returns past retention."""
    from hub.privacy import anonymise_closed
    from hub.runtime import current
    hub = current()
    removed = prune_deliveries(hub)
    anonymised = anonymise_closed(hub)
    log.info("housekeeping: pruned %s; anonymised %d closed returns", removed, anonymised)
    return {"pruned": removed, "anonymised": anonymised}
