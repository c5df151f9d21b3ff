"""Connections: the form generated from the plugins' settings schemas, secrets write-only, Test connection,
the Returns switch, sync health, Sync now and requires_action instructions."""
from __future__ import annotations

import dataclasses

import pytest
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select
from test_web import post, signed_in

from hub.app import create_app
from hub.db import Connection, ReturnRow


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


SECRETS = ("market-secret-key", "shop-secret-token", "shop-webhook-secret")


def _form(market_emu, shop_emu, **overrides):
    data = {"marketplace": "fakemarket", "shop": "fakeshop", "name": "Fake → shop",
            "m-base_url": market_emu.url, "m-api_key": "market-secret-key",
            "s-base_url": shop_emu.url, "s-token": "shop-secret-token", "s-webhook_secret": "shop-webhook-secret"}
    data.update(overrides)
    return data


def test_empty_state_guides_to_a_first_connection(app, hub):
    client = signed_in(app, hub)
    assert "Add your first connection" in client.get("/connections/").get_data(as_text=True)
    assert "No connections yet" in client.get("/").get_data(as_text=True)
    choose = client.get("/connections/new").get_data(as_text=True)
    assert "Fake Marketplace" in choose and "Fake Shop" in choose and "Fake Informational Marketplace" in choose


def test_form_is_generated_from_the_settings_schemas(app, hub):
    client = signed_in(app, hub)
    page = client.get("/connections/new?marketplace=fakemarket&shop=fakeshop").get_data(as_text=True)
    for label in ("API base URL", "API key", "Shop URL", "API token", "Webhook secret"):
        assert label in page
    assert 'type="password" id="m-api_key"' in page and 'type="url" id="m-base_url"' in page
    assert client.get("/connections/new?marketplace=nope&shop=fakeshop").status_code == 200
    assert "Choose an installed marketplace" in client.get("/connections/new?marketplace=nope&shop=x") \
        .get_data(as_text=True)


def test_create_validate_test_switch_on_and_sync(app, hub, market_emu, shop_emu, drain):
    client = signed_in(app, hub)
    bad = post(client, "/connections/new", _form(market_emu, shop_emu, **{"m-base_url": "not a url", "name": ""}))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Not a valid URL" in body and "Give the connection a name" in body
    assert not any(secret in body for secret in SECRETS), "a secret is never echoed back, even on an error"
    with hub.session() as s:
        assert s.scalar(select(Connection)) is None
    created = post(client, "/connections/new", _form(market_emu, shop_emu))
    assert created.status_code == 302
    with hub.session() as s:
        conn = s.scalar(select(Connection))
        cid = conn.id
        assert conn.returns_enabled is False and conn.merchant_id is not None
        assert "market-secret-key" not in str(conn.marketplace_settings)
        assert "shop-secret-token" not in str(conn.shop_settings)
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Test it, then switch Returns on" in page and 'id="returns-switch"' in page and "Off" in page
    assert "stored — leave blank to keep" in page and not any(secret in page for secret in SECRETS)
    post(client, f"/connections/{cid}/test")
    tested = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert tested.count("Connected: the credentials work.") == 2
    post(client, f"/connections/{cid}/sync")
    assert "Switch Returns on" in client.get(f"/connections/{cid}").get_data(as_text=True)
    market_emu.state["returns"].append(sample_return(1))
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    post(client, f"/connections/{cid}/returns", {"enabled": "on"})
    drain()
    with hub.session() as s:
        assert s.get(Connection, cid).returns_enabled is True
        assert s.scalar(select(ReturnRow.state)) == "in_shop"
    page = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert "Returns switched on" in page and "Last poll" in page and "never" not in page.split("Last poll")[1][:80]
    assert "/webhooks/" in page, "a shop with webhooks shows the address to register"
    assert "R1" in client.get("/").get_data(as_text=True)
    post(client, f"/connections/{cid}/sync")
    assert "Sync queued" in client.get(f"/connections/{cid}").get_data(as_text=True)
    post(client, f"/connections/{cid}/returns", {"enabled": "off"})
    with hub.session() as s:
        assert s.get(Connection, cid).returns_enabled is False
    assert post(client, f"/connections/{cid}/returns", {"enabled": "maybe"}).status_code == 400


def test_blank_secret_keeps_the_stored_one_and_wrong_credentials_read_plainly(app, hub, make_connection, market_emu,
                                                                             shop_emu):
    cid = make_connection(enabled=False)
    client = signed_in(app, hub)
    saved = post(client, f"/connections/{cid}", _form(market_emu, shop_emu, **{
        "name": "Renamed", "m-api_key": "", "s-token": "", "s-webhook_secret": ""}))
    assert saved.status_code == 302
    with hub.session() as s:
        conn = s.get(Connection, cid)
        assert conn.name == "Renamed"
        assert hub.box.open(conn.marketplace_settings)["api_key"] == "market-secret-key"
        assert hub.box.open(conn.shop_settings)["webhook_secret"] == "shop-webhook-secret"
    post(client, f"/connections/{cid}/test")
    assert client.get(f"/connections/{cid}").get_data(as_text=True).count("Connected: the credentials work.") == 2
    post(client, f"/connections/{cid}", _form(market_emu, shop_emu, **{"m-api_key": "a-wrong-key-123"}))
    post(client, f"/connections/{cid}/test")
    page = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert "Fake Marketplace (marketplace): The credentials were refused" in page
    assert "Fake Shop (shop): Connected" in page
    assert "a-wrong-key-123" not in page and not any(secret in page for secret in SECRETS)


def test_unreachable_shop_is_reported_readably(app, hub, make_connection, market_emu, shop_emu):
    cid = make_connection(enabled=False)
    client = signed_in(app, hub)
    shop_emu.state["faults"].append({"path": "/returns", "status": 503, "count": 100})
    post(client, f"/connections/{cid}/test")
    page = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert "Fake Shop (shop): Not reachable right now" in page


def test_health_needs_reauth_and_requires_action(app, hub, make_connection, monkeypatch):
    cid = make_connection()
    with hub.session() as s:
        conn = s.get(Connection, cid)
        conn.status, conn.status_reason = "needs_reauth", "The shop answered 401."
        conn.last_error = "AuthError: GET /orders/MO1 -> 401"
    manifest = hub.registry.marketplaces["fakemarket"].manifest
    monkeypatch.setattr(manifest, "capabilities", dataclasses.replace(
        manifest.capabilities, requires_action="Ask your account manager to enable the returns API."))
    client = signed_in(app, hub)
    index = client.get("/connections/").get_data(as_text=True)
    assert "needs new credentials" in index and "action needed at Fake Marketplace" in index and "AuthError" in index
    assert "paused: the connection needs new credentials" in index
    page = client.get(f"/connections/{cid}").get_data(as_text=True)
    assert "Ask your account manager to enable the returns API." in page and "Needs new credentials" in page
    new = client.get("/connections/new?marketplace=fakemarket&shop=fakeshop").get_data(as_text=True)
    assert "Ask your account manager" in new
    post(client, f"/connections/{cid}/sync")
    assert "needs new credentials before it can sync" in client.get(f"/connections/{cid}").get_data(as_text=True)
