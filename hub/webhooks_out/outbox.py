"""The outbox: a return event is a row written in the same transaction as the state change it reports.

``record`` is called by :func:`hub.sync.state.transition` (and ``record_creation``), so an event
exists exactly when its change committed, and none for a change that was rolled back. After a
commit that wrote events, the delivery job is queued; the scheduled sweep catches any it missed.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from hub.db.models import OutboxEvent
from hub.webhooks_out.subscriptions import hub_of, subscriptions

log = logging.getLogger(__name__)

EVENTS = ("return.received", "return.in_shop", "return.decided", "return.pushed", "return.needs_attention")
_BY_STATE = {"received": "return.received", "in_shop": "return.in_shop", "decided": "return.decided",
             "pushed": "return.pushed", "needs_attention": "return.needs_attention"}
_FLAG = "returnhub_outbox_written"


def event_type(from_state: str | None, to_state: str) -> str | None:
    """The event a transition announces, if any (a retry back to ``received`` is not a new return)."""
    if to_state == "received" and from_state is not None:
        return None
    if to_state == "closed_without_push":  # decided without a decided step (fulfilled by the marketplace)
        return None if from_state == "decided" else "return.decided"
    return _BY_STATE.get(to_state)


def record(session: Session, row, from_state: str | None, to_state: str, actor: str, detail: str | None,
           at: datetime) -> None:
    """Add the outbox event of one transition to ``session`` when a merchant endpoint wants it."""
    kind = event_type(from_state, to_state)
    if kind is None:
        return
    merchant_id, wanted = subscriptions(session, row.connection_id)
    if merchant_id is None or kind not in wanted:
        return
    event_id = f"evt_{uuid.uuid4().hex}"
    session.add(OutboxEvent(
        event_id=event_id, merchant_id=merchant_id, return_id=row.id, type=kind, created_at=at,
        payload={"id": event_id, "type": kind, "created": at.isoformat(), "data": {
            "return_id": row.id, "connection_id": row.connection_id, "external_id": row.external_id,
            "marketplace_order_id": row.marketplace_order_id, "shop_return_id": row.shop_return_id,
            "is_test": bool(row.is_test), "from_state": from_state, "state": to_state, "actor": actor,
            "detail": detail}}))
    session.info[_FLAG] = True


@sa_event.listens_for(Session, "after_commit")
def _queue_delivery(session: Session) -> None:
    if not session.info.pop(_FLAG, False):
        return
    try:
        from hub.webhooks_out.delivery import queue_delivery
        hub = hub_of(session)
        if hub is not None:
            queue_delivery(hub)
    except Exception:  # Redis away: the scheduled sweep delivers it later
        log.warning("could not queue webhook delivery; the sweep will pick it up", exc_info=True)


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_FLAG, None)
