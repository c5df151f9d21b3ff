"""Push notifications through the hub's web app: subscribed on the first poll where the connection is reachable,
verified by signature (refused otherwise), de-duplicated, turned into an immediate poll; polling stays the fallback."""
from __future__ import annotations

import json

import httpx
import pytest

from hub.sdk.signing import kaufland_signature
from hub.testing.emulator import EmulatorServer
from hub.testing.flow import settle, states


@pytest.fixture
def web(hub):
    """The hub's web app on loopback: where Kaufland's notifications arrive."""
    from hub.app import create_app
    with EmulatorServer(create_app(hub=hub)) as server:
        yield server


@pytest.fixture
def reachable(connection, web):
    """A connection whose public URL is the running web app; gives (connection id, callback URL)."""
    cid = connection(public_base_url=web.url, notification_email="ops@example.com")
    return cid, f"{web.url}/plugins/kaufland/notifications/{cid}"


def deliveries(emu, **arm):
    return emu.hook("notifications", arm) if arm else emu.hook("notifications")


def queued(hub) -> int:
    return hub.queue.count


def test_first_poll_subscribes_once_per_storefront_and_the_callback_answers(hub, reachable, state, emu,
                                                                            adapter_factory, settings):
    cid, url = reachable
    settle(hub, cid)  # several polls by one worker: subscribed once
    subs = state.subscriptions.values()
    assert sorted((s["storefront"], s["event_name"], s["callback_url"]) for s in subs) == [
        ("at", "return_new", url), ("de", "return_new", url)]
    assert [e.method for e in emu.ledger.entries if e.path == "/v2/subscriptions"] == ["GET", "POST", "GET", "POST"]
    from returnhub_kaufland.adapter import KauflandMarketplace
    fresh = adapter_factory(KauflandMarketplace, {**settings, "public_base_url": url.split("/plugins")[0],
                                                  "notification_email": "ops@example.com"}, connection_id=cid)
    assert fresh.ensure_subscriptions()  # a new worker looks before subscribing, and finds its subscriptions
    assert len(state.subscriptions) == 2
    assert [e.method for e in emu.ledger.entries if e.path == "/v2/subscriptions"][4:] == ["GET", "GET"]
    for sub in list(state.subscriptions.values()):
        state.verify_callback(sub)
        assert sub["verified"] is True


def test_a_notification_brings_the_new_return_at_once(hub, reachable, state, emu, drain):
    cid, _ = reachable
    settle(hub, cid)
    new = state.seed(1)[0]
    [delivery] = deliveries(emu)["deliveries"]
    assert delivery["status"] == 202 and delivery["body"]["event_name"] == "return_new"
    assert str(new["id_return"]) not in states(hub, cid)
    assert queued(hub) >= 1  # the poll the notification queued
    drain()
    assert str(new["id_return"]) in states(hub, cid)


def test_a_bad_signature_is_refused_and_queues_nothing(hub, reachable, state, emu, drain):
    cid, _ = reachable
    settle(hub, cid)
    deliveries(emu, bad_signature=True)
    new = state.seed(1)[0]
    assert [d["status"] for d in deliveries(emu)["deliveries"]] == [401]
    assert queued(hub) == 0
    settle(hub, cid)  # polling stays the fallback
    assert str(new["id_return"]) in states(hub, cid)


def test_a_repeated_notification_is_taken_once(hub, reachable, state, emu, drain):
    cid, _ = reachable
    settle(hub, cid)
    deliveries(emu, duplicates=2)
    state.seed(1)
    assert [d["status"] for d in deliveries(emu)["deliveries"]] == [202, 200]


def test_stale_unsigned_or_foreign_notifications_are_refused(hub, reachable, web):
    cid, url = reachable
    import time
    body = json.dumps({"event_name": "return_new", "id_message": "m1", "resource": "/returns/1",
                       "storefront": "de"})
    from returnhub_kaufland.emulator import SECRET_KEY
    old = str(int(time.time()) - 14 * 3600)
    stale = httpx.post(url, content=body, headers={"Shop-Timestamp": old, "Shop-Signature": kaufland_signature(
        SECRET_KEY, "POST", url, body, old)})
    assert stale.status_code == 401 and "off" in stale.json()["error"]
    assert httpx.post(url, content=body).status_code == 401
    assert httpx.post(f"{web.url}/plugins/kaufland/notifications/999", content=body).status_code == 404


def test_without_a_public_url_nothing_is_subscribed(hub, connection, emu):
    settle(hub, connection())
    assert not [e for e in emu.ledger.entries if e.path.startswith("/v2/subscriptions")]
