"""The per-process cache of webhook subscriptions: no query per transition, yet no change is missed."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, func, insert, select
from test_api_support import api_app, api_client, api_hub_plugins, bearer  # noqa: F401  (fixtures)

from hub.db import Connection, ReturnRow
from hub.db.models import OutboxEvent, WebhookEndpoint
from hub.model import Page, State
from hub.runtime import Hub
from hub.sync.importing import import_page
from hub.sync.state import transition
from hub.webhooks_out import subscriptions

URL = "http://127.0.0.1:9/returnhub"  # never called: no delivery job runs in these tests


def received(hub, cid, *numbers):
    items = [{"external_id": f"R{n}", "marketplace_order_id": f"MO{n}", "requested_at": "2026-11-01T10:00:00+00:00",
              "lines": [{"external_line_id": "L1", "quantity": 1}]} for n in numbers]
    import_page(hub, cid, Page(items=items, cursor=None), "marketplace:fakemarket")


def to_attention(hub, external_id):
    with hub.session() as s:
        row = s.scalars(select(ReturnRow).where(ReturnRow.external_id == external_id)).one()
        assert transition(s, row, State.NEEDS_ATTENTION, "system", "test")


def events(hub, kind="return.needs_attention"):
    with hub.session() as s:
        return s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == kind))


def count_subscription_queries(hub):
    seen = []

    def before(conn, cursor, statement, params, context, executemany):
        if "webhook_endpoints" in statement and "connections" in statement:
            seen.append(statement)
    event.listen(hub.db.engine, "before_cursor_execute", before)
    return seen


def test_transitions_reuse_the_cached_subscriptions(hub, client, make_connection):
    client.post("/api/v1/webhooks", headers=bearer(hub), json={"url": URL, "events": ["return.needs_attention"]})
    cid = make_connection(merchant="Merchant A", enabled=False)
    received(hub, cid, 1, 2, 3)
    queries = count_subscription_queries(hub)
    for n in (1, 2, 3):
        to_attention(hub, f"R{n}")
    assert events(hub) == 3
    assert len(queries) <= 1  # read once, then served from the cache


def test_another_process_sees_a_new_endpoint_after_the_token_moves(hub, config, client, make_connection,
                                                                    monkeypatch):
    cid = make_connection(merchant="Merchant A", enabled=False)
    received(hub, cid, 1, 2, 3)
    other = Hub(config, registry=hub.registry)  # a worker elsewhere: same database and Redis, its own cache
    try:
        to_attention(other, "R1")  # caches "no endpoint" for the connection
        assert events(hub) == 0
        created = client.post("/api/v1/webhooks", headers=bearer(hub),
                              json={"url": URL, "events": ["return.needs_attention"]})
        assert created.status_code == 201
        monkeypatch.setattr(subscriptions, "CHECK_SECONDS", 0.0)
        to_attention(other, "R2")
        assert events(hub) == 1
        with hub.session() as s:  # paused: the other process stops recording for it too
            s.get(WebhookEndpoint, created.get_json()["id"]).active = False
        to_attention(other, "R3")
        assert events(hub) == 1
    finally:
        other.db.dispose()


def test_a_redis_flush_drops_the_cache(hub, client, make_connection, monkeypatch):
    cid = make_connection(merchant="Merchant A", enabled=False)
    received(hub, cid, 1, 2, 3)
    to_attention(hub, "R1")
    monkeypatch.setattr(subscriptions, "CHECK_SECONDS", 0.0)
    with hub.db.engine.begin() as conn:  # a change no cache hears of (no ORM session), then Redis is flushed
        merchant_id = conn.scalar(select(Connection.merchant_id).where(Connection.id == cid))
        conn.execute(insert(WebhookEndpoint.__table__).values(
            merchant_id=merchant_id, url=URL, events=["return.needs_attention"], secret="x", active=True,
            created_at=datetime.now(UTC)))
    to_attention(hub, "R2")
    assert events(hub) == 0  # still the cached "no endpoint"
    hub.redis.flushdb()
    to_attention(hub, "R3")
    assert events(hub) == 1


def test_without_redis_nothing_is_cached(hub, make_connection):
    cache = subscriptions.SubscriptionCache(lambda: (_ for _ in ()).throw(subscriptions.RedisError("down")))
    cid = make_connection(merchant="Merchant A", enabled=False)
    with hub.session() as s:
        assert cache.get(s, cid)[1] == frozenset()
    assert cache._entries == {}
