"""Which webhook events a connection's merchant subscribes to, cached per process.

The outbox asks this for every transition, so a database query each time would be a large share of a
worker's work. Entries stay valid while a token in Redis is unchanged: committing a change to any
webhook endpoint sets a new token (from whichever process made it), and each process compares its
token at most every ``CHECK_SECONDS``. A new or changed endpoint therefore takes effect everywhere
within about a second, and at once in the process that changed it. Without Redis nothing is cached.
"""
from __future__ import annotations

import logging
import threading
import uuid

from redis.exceptions import RedisError
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import clock
from hub.db.models import Connection, WebhookEndpoint

log = logging.getLogger(__name__)

TOKEN_KEY = "returnhub:webhook-subscriptions:token"
CHECK_SECONDS = 1.0
_CHANGED = "returnhub_webhook_endpoints_changed"
_LOCAL = "returnhub_webhook_subscriptions"

Subscription = tuple[int | None, frozenset[str]]


def query(session: Session, connection_id: int) -> Subscription:
    """(merchant id, event types some active endpoint of the merchant wants), read from the database."""
    rows = session.execute(
        select(Connection.merchant_id, WebhookEndpoint.events)
        .outerjoin(WebhookEndpoint, (WebhookEndpoint.merchant_id == Connection.merchant_id)
                   & WebhookEndpoint.active.is_(True))
        .where(Connection.id == connection_id)).all()
    merchant_id = rows[0][0] if rows else None
    return merchant_id, frozenset(e for _m, events in rows for e in (events or []))


class SubscriptionCache:
    """Subscriptions per connection id for one Hub, checked against the Redis token."""

    def __init__(self, redis_getter):
        self._redis = redis_getter
        self._entries: dict[int, Subscription] = {}
        self._token: bytes | None = None
        self._checked = float("-inf")
        self._generation = 0  # moves whenever entries are dropped, so a query racing a drop is not kept
        self._lock = threading.Lock()

    def get(self, session: Session, connection_id: int) -> Subscription:
        valid = self._refresh()
        entry = self._entries.get(connection_id) if valid else None
        if entry is None:
            generation = self._generation
            entry = query(session, connection_id)
            with self._lock:
                if valid and entry[0] is not None and generation == self._generation:
                    self._entries[connection_id] = entry
        return entry

    def _refresh(self) -> bool:
        """Drop the entries when another process changed an endpoint; False when Redis cannot tell."""
        now = clock.monotonic()
        if now - self._checked < CHECK_SECONDS and self._token is not None:
            return True
        with self._lock:
            try:
                redis = self._redis()
                token = redis.get(TOKEN_KEY)
                if token is None:  # first use, or Redis was flushed
                    redis.set(TOKEN_KEY, uuid.uuid4().hex, nx=True)
                    token = redis.get(TOKEN_KEY)
            except RedisError:
                token = None
            if token is None or token != self._token:
                self._drop()
            self._token, self._checked = token, now
        return token is not None

    def invalidate(self) -> None:
        """An endpoint changed: forget here, and tell the other processes through a new token."""
        with self._lock:
            self._drop()
            self._checked = float("-inf")
            try:
                self._redis().set(TOKEN_KEY, uuid.uuid4().hex)
            except RedisError:
                log.warning("could not announce a webhook endpoint change; other processes see it within"
                            " %s s of Redis returning", CHECK_SECONDS, exc_info=True)

    def clear(self) -> None:
        with self._lock:
            self._drop()
            self._token, self._checked = None, float("-inf")

    def _drop(self) -> None:
        self._entries.clear()
        self._generation += 1


def hub_of(session: Session):
    """The Hub whose session this is: the one that opened it, else the process's own when it uses the
    same database (never one built here from the environment)."""
    hub = session.info.get("hub")
    if hub is not None:
        return hub
    from hub import runtime
    hub = runtime._current
    bind = session.get_bind()
    if hub is not None and bind is not None and hub.db.engine.url == bind.url:
        return hub
    return None


def subscriptions(session: Session, connection_id: int) -> Subscription:
    """The connection's subscriptions: from the process cache when the session is a Hub's, else (or
    after an endpoint changed in this very transaction) from the database, once per transaction."""
    hub = hub_of(session)
    if hub is not None and not session.info.get(_CHANGED):
        return hub.webhook_subscriptions.get(session, connection_id)
    local = session.info.setdefault(_LOCAL, {})
    if connection_id not in local:
        local[connection_id] = query(session, connection_id)
    return local[connection_id]


def changed_in(session: Session) -> None:
    """Mark an endpoint change in ``session`` before it is flushed (the flush listener also sees it)."""
    session.info[_CHANGED] = True
    session.info.pop(_LOCAL, None)


@sa_event.listens_for(Session, "after_flush")
def _note_endpoint_change(session: Session, _context) -> None:
    if any(isinstance(obj, WebhookEndpoint) for obj in (*session.new, *session.dirty, *session.deleted)):
        changed_in(session)


@sa_event.listens_for(Session, "after_commit")
def _announce_endpoint_change(session: Session) -> None:
    session.info.pop(_LOCAL, None)
    if not session.info.pop(_CHANGED, False):
        return
    hub = hub_of(session)
    if hub is not None:  # without a Hub there is no Redis to tell: a session outside the app
        hub.webhook_subscriptions.invalidate()


@sa_event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_LOCAL, None)
