"""Outgoing webhooks: outbox in the transition's transaction, signatures, retries with backoff, the log, replay."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import func, select, update
from test_api_support import api_app, api_client, api_hub_plugins, assert_problem, bearer  # noqa: F401  (fixtures)

from hub.db import ReturnRow
from hub.db.models import OutboundDelivery, OutboxEvent
from hub.model import Page, State
from hub.sync import jobs, queueing
from hub.sync.importing import import_page
from hub.sync.state import transition
from hub.testing.emulator import EmulatorServer
from hub.webhooks_out import delivery
from hub.webhooks_out.outbox import event_type
from hub.webhooks_out.signing import sign, verify

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_receiver(monkeypatch, secret: str):
    """The ten-line receiver of the README, run as written."""
    code = re.search(r"```python\n(import hashlib, hmac.*?)```", README.read_text(), re.S).group(1)
    monkeypatch.setenv("RETURNHUB_WEBHOOK_SECRET", secret)
    namespace = {"__name__": "readme_receiver"}
    exec(compile(code, "README receiver", "exec"), namespace)
    return namespace


class FailingFirst:
    """WSGI wrapper: the receiver handles every request, but the first ``failures`` answers are 500s
    (it crashed after handling), so Returnhub has to deliver again."""

    def __init__(self, app, failures: int):
        self.app, self.failures, self.calls = app, failures, []

    def __call__(self, environ, start_response):
        self.calls.append(environ.get("HTTP_RETURNHUB_EVENT_ID"))
        if len(self.calls) <= self.failures:
            body = b"".join(self.app(environ, lambda *a, **k: None))
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
            return [b"oops " + body[:0]]
        return self.app(environ, start_response)


def endpoint(client, headers, url, events):
    response = client.post("/api/v1/webhooks", headers=headers, json={"url": url, "events": events})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def make_all_due(hub):
    with hub.session() as s:
        s.execute(update(OutboundDelivery).where(OutboundDelivery.status == "pending")
                  .values(next_attempt_at=datetime.now(UTC)))


def test_signature_header_and_rotation():
    body = b'{"id":"evt_1"}'
    header = sign(body, ["new-secret", "old-secret"], timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=") and header.count("v1=") == 2
    assert verify(body, header, "new-secret", now=1_700_000_010) and verify(body, header, "old-secret", now=1_700_000_010)
    assert not verify(body + b" ", header, "new-secret", now=1_700_000_010)
    assert not verify(body, header, "new-secret", now=1_700_009_999)  # too old: a replayed capture


def test_event_types():
    assert event_type(None, "received") == "return.received" and event_type("needs_attention", "received") is None
    assert event_type("in_shop", "closed_without_push") == "return.decided"
    assert event_type("decided", "closed_without_push") is None and event_type("decided", "pushed") == "return.pushed"


def test_receiver_failing_five_times_handles_the_event_once(hub, client, make_connection, market_emu, shop_emu,
                                                             drain, monkeypatch):
    headers = bearer(hub)
    with EmulatorServer(FailingFirst(None, 5)) as server:
        created = endpoint(client, headers, f"{server.url}/returnhub", ["return.received"])
        receiver = readme_receiver(monkeypatch, created["secret"])
        server.app.app = receiver["app"]
        cid = make_connection(merchant="Merchant A")
        market_emu.state["returns"].append(sample_return(1))
        jobs.poll_marketplace(cid)   # commits the return and its outbox event; queues the delivery job
        drain()
        for _ in range(5):
            make_all_due(hub)
            delivery.deliver_due(hub)
        calls = server.app.calls
    assert len(calls) == 6 and len(set(calls)) == 1
    assert list(receiver["handled"]) == calls[:1]
    event = receiver["handled"][calls[0]]
    assert event["type"] == "return.received" and event["data"]["external_id"] == "R1"
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).get_json()["items"]
    assert len(log) == 1 and log[0]["status"] == "delivered" and log[0]["event_id"] == calls[0]
    assert [a["status_code"] for a in log[0]["attempts"]] == [500] * 5 + [204]
    assert "secret" not in str(log) and created["secret"] not in str(log)


def test_backoff_grows_and_gives_up_after_24_hours_then_replay(hub, client, make_connection, market_emu, shop_emu,
                                                               drain, monkeypatch):
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert delivery.backoff(30).total_seconds() == 3 * 3600
    assert sum(delivery.backoff(n).total_seconds() for n in range(1, 18)) >= 24 * 3600  # ~17 tries in 24 h
    headers = bearer(hub)
    with EmulatorServer(FailingFirst(None, 2)) as server:
        created = endpoint(client, headers, f"{server.url}/returnhub", ["return.in_shop"])
        server.app.app = readme_receiver(monkeypatch, created["secret"])["app"]
        cid = make_connection(merchant="Merchant A")
        market_emu.state["returns"].append(sample_return(1))
        shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
        jobs.poll_marketplace(cid)
        drain()
        with hub.session() as s:
            pending = s.scalars(select(OutboundDelivery)).one()
            assert pending.status == "pending" and pending.attempts == 1
            assert pending.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
            pending.created_at = datetime.now(UTC) - timedelta(hours=25)
        make_all_due(hub)
        delivery.deliver_due(hub)
        with hub.session() as s:
            assert s.scalars(select(OutboundDelivery.status)).one() == "failed"
        delivery_id = client.get(f"/api/v1/webhooks/{created['id']}/deliveries?status=failed",
                                 headers=headers).get_json()["items"][0]["id"]
        replayed = client.post(f"/api/v1/webhooks/{created['id']}/deliveries/{delivery_id}/replay", headers=headers)
        assert replayed.status_code == 200 and replayed.get_json()["status_code"] == 204
        assert replayed.get_json()["replay"] is True
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers).get_json()["items"][0]
    assert log["status"] == "delivered" and [a["replay"] for a in log["attempts"]] == [False, False, True]


def test_rolled_back_transition_writes_and_sends_nothing(hub, client, make_connection, drain):
    headers = bearer(hub)
    ok = FailingFirst(lambda environ, start_response: (start_response("204 NO CONTENT", []), [b""])[1], 0)
    with EmulatorServer(ok) as server:
        endpoint(client, headers, f"{server.url}/hook", ["return.needs_attention", "return.received"])
        cid = make_connection(merchant="Merchant A", enabled=False)
        import_page(hub, cid, Page(items=[{"external_id": "R9", "marketplace_order_id": "MO9",
                                           "requested_at": "2026-11-01T10:00:00+00:00",
                                           "lines": [{"external_line_id": "L1", "quantity": 1}]}], cursor=None),
                    "marketplace:fakemarket")
        with pytest.raises(RuntimeError), hub.session() as s:
            row = s.get(ReturnRow, 1)
            assert transition(s, row, State.NEEDS_ATTENTION, "system", "about to fail")
            assert s.scalar(select(func.count()).select_from(OutboxEvent)) == 2  # in this transaction only
            raise RuntimeError("the step failed after the transition")
        drain()
        delivery.deliver_webhooks()
        calls = ok.calls
    with hub.session() as s:
        events = list(s.scalars(select(OutboxEvent)))
        assert [e.type for e in events] == ["return.received"] and s.scalar(select(ReturnRow.state)) == "received"
    assert calls == [events[0].event_id]


def test_unsubscribed_events_and_other_merchants_get_nothing(hub, client, make_connection, market_emu, shop_emu, drain):
    with EmulatorServer(FailingFirst(None, 0)) as server:
        endpoint(client, bearer(hub, "Merchant A"), f"{server.url}/a", ["return.pushed"])
        endpoint(client, bearer(hub, "Merchant B"), f"{server.url}/b", ["return.received"])
        cid = make_connection(merchant="Merchant A")
        market_emu.state["returns"].append(sample_return(1))
        jobs.poll_marketplace(cid)
        drain()
    with hub.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent)) == 0


def test_private_or_odd_urls_are_refused(hub, client):
    headers = bearer(hub)
    for url in ("http://10.0.0.7/hook", "http://localhost:8080/hook", "ftp://127.0.0.1/x", "http://[::1]/hook",
                "http://169.254.169.254/latest", "http://0x7f000001/hook", "not a url"):
        body = assert_problem(client.post("/api/v1/webhooks", headers=headers, json={
            "url": url, "events": ["return.pushed"]}), 422)
        assert list(body["errors"]) == ["url"], url
    assert client.get("/api/v1/webhooks", headers=headers).get_json()["items"] == []


def test_endpoint_management_and_rotation(hub, client):
    headers = bearer(hub)
    created = endpoint(client, headers, "http://127.0.0.1:9/hook", ["return.pushed"])
    assert created["secret"].startswith("whsec_") and created["rotating_until"] is None
    listed = client.get("/api/v1/webhooks", headers=headers).get_json()["items"]
    assert len(listed) == 1 and "secret" not in listed[0]
    rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=headers).get_json()
    assert rotated["secret"] != created["secret"]
    from hub.db.models import WebhookEndpoint
    from hub.webhooks_out.endpoints import signing_secrets
    with hub.session() as s:
        row = s.get(WebhookEndpoint, created["id"])
        assert signing_secrets(hub, row) == [rotated["secret"], created["secret"]]
        assert created["secret"] not in row.secret + row.previous_secret  # encrypted at rest
        assert signing_secrets(hub, row, now=row.previous_secret_until + timedelta(seconds=1)) == [rotated["secret"]]
    patched = client.patch(f"/api/v1/webhooks/{created['id']}", headers=headers,
                           json={"events": ["return.decided", "return.decided"]}).get_json()
    assert patched["events"] == ["return.decided"]
    assert_problem(client.patch(f"/api/v1/webhooks/{created['id']}", headers=headers, json={"events": ["return.lost"]}), 422)
    assert client.delete(f"/api/v1/webhooks/{created['id']}", headers=headers).get_json()["active"] is False
    assert_problem(client.post("/api/v1/webhooks", headers=bearer(hub, scopes=["returns:read"]),
                               json={"url": "http://127.0.0.1:9/x", "events": ["return.pushed"]}), 403)


def test_the_scheduler_runs_the_delivery_sweep(hub, client, make_connection, drain):
    from hub.sync.schedule import build_scheduler
    scheduler = build_scheduler(hub)
    jobs_by_name = {job.func_name: job.interval for job in scheduler.get_jobs()}
    assert jobs_by_name["hub.webhooks_out.delivery.deliver_webhooks"] == delivery.SWEEP_SECONDS
    ok = FailingFirst(lambda environ, start_response: (start_response("204 NO CONTENT", []), [b""])[1], 0)
    with EmulatorServer(ok) as server:
        endpoint(client, bearer(hub), f"{server.url}/hook", ["return.needs_attention"])
        make_connection(merchant="Merchant A")
        import_page(hub, 1, Page(items=[{"external_id": "R9", "marketplace_order_id": "MO9",
                                         "requested_at": "2026-11-01T10:00:00+00:00",
                                         "lines": [{"external_line_id": "L1", "quantity": 1}]}], cursor=None), "test")
        with hub.session() as s:
            transition(s, s.get(ReturnRow, 1), State.NEEDS_ATTENTION, "system", "stuck")
        hub.queue.empty()  # the post-commit trigger is lost (as with a Redis restart): the sweep still delivers
        hub.redis.delete(queueing.marker_key(delivery.KIND, None))
        scheduler.enqueue_jobs()
        drain()
        assert len(ok.calls) == 1


def test_outbox_and_delivery_rows_pruned_after_the_retention(hub, client, make_connection, market_emu, shop_emu,
                                                              drain, monkeypatch):
    from hub import clock
    from hub.db.models import DeliveryAttempt
    from hub.housekeeping import prune_deliveries

    def counts():
        with hub.session() as s:
            return [s.scalar(select(func.count()).select_from(m)) for m in (OutboxEvent, OutboundDelivery,
                                                                            DeliveryAttempt, ReturnRow)]
    headers = bearer(hub)
    with EmulatorServer(FailingFirst(None, 1)) as server:
        created = endpoint(client, headers, f"{server.url}/returnhub", ["return.received"])
        server.app.app = readme_receiver(monkeypatch, created["secret"])["app"]
        cid = make_connection(merchant="Merchant A")
        market_emu.state["returns"].append(sample_return(1))
        jobs.poll_marketplace(cid)
        drain()
        make_all_due(hub)
        delivery.deliver_due(hub)
    assert counts() == [1, 1, 2, 1]
    assert sum(prune_deliveries(hub).values()) == 0, "recent rows stay"
    with clock.use(clock.FakeClock()) as fake:
        fake.advance((hub.config.delivery_retention_days + 1) * 86400)
        removed = prune_deliveries(hub)
    assert removed == {"outbox_event": 1, "outbound_delivery": 1, "delivery_attempt": 2, "webhook_delivery": 0}
    assert counts() == [0, 0, 0, 1], "the return itself stays"
