"""Delivering outbox events: fan out to endpoints, send signed, retry with exponential backoff for 24 h.

One job, ``deliver_webhooks``, does both steps in batches and is safe to run twice or on two
workers at once (conditional UPDATEs claim events and deliveries). It is queued after a commit
that wrote events and every 30 s by the scheduler (``hub.sync.schedule``), which brings due retries.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from hub import clock
from hub.db.models import DeliveryAttempt, OutboundDelivery, OutboxEvent, WebhookEndpoint
from hub.http import ClientFactory
from hub.webhooks_out.endpoints import signing_secrets
from hub.webhooks_out.signing import HEADER, sign

log = logging.getLogger(__name__)

KIND = "deliver_webhooks"
RETRY_WINDOW = timedelta(hours=24)  # retried at least this long after the first attempt, then failed
BASE_DELAY = 30.0                   # seconds before the first retry; doubles each time
MAX_DELAY = 3 * 3600.0
TIMEOUT = 10.0
BATCH = 100
CLAIM = timedelta(minutes=2)
SWEEP_SECONDS = 30


def _now() -> datetime:
    return clock.now()


def backoff(attempts: int) -> timedelta:
    """Delay after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, … capped at 3 h."""
    return timedelta(seconds=min(MAX_DELAY, BASE_DELAY * 2 ** max(attempts - 1, 0)))


def queue_delivery(hub) -> str | None:
    """Queue the delivery job unless one is already queued (same marker convention as hub.sync.queueing)."""
    from hub.sync import queueing
    key = queueing.marker_key(KIND, None)
    job_id = f"{KIND}-{uuid.uuid4().hex[:12]}"
    if not hub.redis.set(key, job_id, nx=True, ex=queueing.MARKER_TTL):
        return None
    try:
        hub.queue.enqueue(f"{__name__}.{KIND}", job_id=job_id, job_timeout=900, result_ttl=600,
                          failure_ttl=7 * 24 * 3600)
    except Exception:
        hub.redis.delete(key)
        raise
    return job_id


def dispatch(hub) -> int:
    """Turn undispatched outbox events into one pending delivery per subscribed active endpoint."""
    created = 0
    with hub.session() as s:
        events = list(s.scalars(select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
                                .order_by(OutboxEvent.id).limit(BATCH)))
        moment = _now()
        for event in events:
            taken = s.execute(update(OutboxEvent).where(OutboxEvent.id == event.id, OutboxEvent.dispatched_at.is_(None))
                              .values(dispatched_at=moment).execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                continue
            endpoints = s.scalars(select(WebhookEndpoint).where(
                WebhookEndpoint.merchant_id == event.merchant_id, WebhookEndpoint.active.is_(True)))
            for endpoint in endpoints:
                if event.type in (endpoint.events or []):
                    s.add(OutboundDelivery(event_id=event.id, endpoint_id=endpoint.id, status="pending",
                                           attempts=0, next_attempt_at=moment))
                    created += 1
    return created


def _client(hub) -> ClientFactory:
    return ClientFactory(allow_local=hub.config.allow_local_hosts, timeout=TIMEOUT, retries=0)


def _send(hub, factory: ClientFactory, endpoint: WebhookEndpoint, event: OutboxEvent) -> tuple[int | None, str | None, int]:
    """One signed POST; (status code, error, duration ms). Never raises."""
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Returnhub-Webhooks/1",
               "Returnhub-Event-Id": event.event_id, "Returnhub-Event-Type": event.type,
               HEADER: sign(body, signing_secrets(hub, endpoint))}
    started = time.perf_counter()
    try:
        with factory(endpoint.url) as client:
            response = client.post(endpoint.url, content=body, headers=headers)
        status, error = response.status_code, None if response.status_code < 300 else f"answered {response.status_code}"
    except Exception as exc:  # refused address, timeout, connection error: an attempt that failed
        status, error = None, f"{type(exc).__name__}: {exc}"[:500]
    return status, error, int((time.perf_counter() - started) * 1000)


def _claim(hub, delivery_id: int) -> bool:
    moment = _now()
    with hub.session() as s:
        result = s.execute(update(OutboundDelivery).where(
            OutboundDelivery.id == delivery_id, OutboundDelivery.status == "pending",
            or_(OutboundDelivery.claimed_until.is_(None), OutboundDelivery.claimed_until < moment),
        ).values(claimed_until=moment + CLAIM).execution_options(synchronize_session=False))
        return result.rowcount == 1


def attempt(hub, delivery_id: int, factory: ClientFactory | None = None, replay: bool = False) -> DeliveryAttempt:
    """Send one delivery now and record the attempt; settles it as delivered, pending (backoff) or failed."""
    factory = factory or _client(hub)
    with hub.session() as s:
        delivery = s.get(OutboundDelivery, delivery_id, options=[selectinload(OutboundDelivery.event),
                                                                 selectinload(OutboundDelivery.endpoint)])
        endpoint, event = delivery.endpoint, delivery.event
        s.expunge_all()
    status, error, duration = _send(hub, factory, endpoint, event)
    moment = _now()
    with hub.session() as s:
        delivery = s.get(OutboundDelivery, delivery_id)
        record = DeliveryAttempt(delivery_id=delivery_id, at=moment, status_code=status, error=error,
                                 duration_ms=duration, replay=replay)
        s.add(record)
        delivery.last_status_code, delivery.last_error, delivery.claimed_until = status, error, None
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", moment, None
        elif not replay:
            delivery.attempts += 1
            first = delivery.created_at
            if moment - first >= RETRY_WINDOW:
                delivery.status, delivery.next_attempt_at = "failed", None
            else:
                delivery.next_attempt_at = moment + backoff(delivery.attempts)
        s.flush()
        s.expunge(record)
    return record


def deliver_due(hub) -> dict:
    """Send every pending delivery whose time has come (one batch)."""
    moment = _now()
    with hub.session() as s:
        ids = list(s.scalars(select(OutboundDelivery.id).join(WebhookEndpoint).where(
            WebhookEndpoint.active.is_(True),  # a paused endpoint keeps its deliveries until enabled again
            OutboundDelivery.status == "pending", OutboundDelivery.next_attempt_at <= moment,
            or_(OutboundDelivery.claimed_until.is_(None), OutboundDelivery.claimed_until < moment),
        ).order_by(OutboundDelivery.next_attempt_at, OutboundDelivery.id).limit(BATCH)))
    counts = {"delivered": 0, "failed_attempts": 0}
    factory = _client(hub)
    for delivery_id in ids:
        if not _claim(hub, delivery_id):
            continue
        result = attempt(hub, delivery_id, factory)
        counts["delivered" if result.error is None else "failed_attempts"] += 1
    counts["more"] = len(ids) == BATCH
    return counts


def deliver_webhooks() -> dict:
    """The job: dispatch new outbox events, then send what is due; requeue while a full batch was seen."""
    from hub.runtime import current
    from hub.sync import queueing
    hub = current()
    queueing.started(hub, KIND, None)
    dispatched = dispatch(hub)
    counts = deliver_due(hub)
    if counts.pop("more") or dispatched == BATCH:
        queue_delivery(hub)
    return {"dispatched": dispatched, **counts}


def replay(hub, delivery_id: int) -> DeliveryAttempt:
    """Send a logged delivery again now (same event id); a failed one that now succeeds becomes delivered."""
    with hub.session() as s:
        delivery = s.get(OutboundDelivery, delivery_id)
        if delivery.status == "failed":
            delivery.status = "pending"
    record = attempt(hub, delivery_id, replay=True)
    with hub.session() as s:
        delivery = s.get(OutboundDelivery, delivery_id)
        if delivery.status == "pending" and record.error is not None and delivery.next_attempt_at is None:
            delivery.status = "failed"
    return record
