"""Every merchant route: sign-in required, another merchant's ids answer 404, CSRF enforced, no secret shown."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from test_web import csrf_token, import_returns, signed_in

from hub.api_tokens import create_token
from hub.app import create_app
from hub.db import Connection, ReturnRow


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


MERCHANT_BLUEPRINTS = {"auth", "dashboard", "returns", "connections", "plugins", "privacy", "tokens"}
ID_ARGS = {"return_id", "connection_id", "token_id"}
PUBLIC = {"auth.login"}
SECRETS = ("market-secret-key", "shop-secret-token", "shop-webhook-secret", "$encrypted")


def merchant_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in MERCHANT_BLUEPRINTS]
    assert {r.endpoint for r in rules} >= {"returns.index", "returns.detail", "returns.export", "returns.decide",
                                            "returns.bulk_retry", "connections.show", "connections.test",
                                            "dashboard.index", "plugins.index"}
    for rule in rules:
        unknown = set(rule.arguments) - ID_ARGS
        assert not unknown, f"{rule.rule}: add {unknown} to the tenant-isolation walk"
    return rules


@pytest.fixture
def world(app, hub, make_connection, market_emu, shop_emu, drain):
    """Merchant A with a connection and two returns in the shop; merchant B with nothing."""
    cid = make_connection(merchant="Merchant A")
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2])
    with hub.session() as s:
        ids = list(s.scalars(select(ReturnRow.id).order_by(ReturnRow.id)))
        merchant_id = s.scalar(select(Connection.merchant_id).where(Connection.id == cid))
    token_id, _ = create_token(hub, merchant_id, "merchant A's", ["returns:read"])
    return {"connection_id": cid, "return_id": ids[0], "return_ids": ids, "token_id": token_id}


def test_every_route_needs_sign_in(app, world):
    client = app.test_client()
    for rule in merchant_rules(app):
        if rule.endpoint in PUBLIC or rule.endpoint == "auth.logout":
            continue
        url = rule.rule.replace("<int:return_id>", str(world["return_id"])).replace(
            "<int:connection_id>", str(world["connection_id"])).replace("<int:token_id>", str(world["token_id"]))
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        if "POST" in rule.methods:
            response = client.post(url, data={"csrf_token": csrf_token(client)})
            assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_walk_every_route_with_another_merchants_ids(app, hub, world):
    b = signed_in(app, hub, "b@example.com", "Merchant B")
    token = csrf_token(b, "/")
    walked = 0
    for rule in merchant_rules(app):
        if not set(rule.arguments) & ID_ARGS:
            continue
        url = rule.rule.replace("<int:return_id>", str(world["return_id"])).replace(
            "<int:connection_id>", str(world["connection_id"])).replace("<int:token_id>", str(world["token_id"]))
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = {"csrf_token": token, "enabled": "on", "note": "x", "decision:R1-1": "accepted",
                    "name": "stolen"} if method == "POST" else None
            response = b.open(url, method=method, data=data)
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            walked += 1
    assert walked >= 8
    # ids inside forms and query strings: bulk retry, export and overview filters
    assert b.post("/returns/retry", data={"csrf_token": token, "return_id": world["return_ids"]}).status_code == 404
    assert "R1" not in b.get(f"/returns/export.csv?connection={world['connection_id']}").get_data(as_text=True)
    assert ">R1<" not in b.get(f"/?connection={world['connection_id']}").get_data(as_text=True)
    a = signed_in(app, hub, "a@example.com", "Merchant A")
    with hub.session() as s:
        assert s.get(ReturnRow, world["return_id"]).state == "in_shop"
    assert "stolen" not in a.get("/connections/").get_data(as_text=True)


def test_posts_without_csrf_token_are_rejected(app, hub, world):
    a = signed_in(app, hub, "a@example.com", "Merchant A")
    for rule in merchant_rules(app):
        if "POST" not in rule.methods:
            continue
        url = rule.rule.replace("<int:return_id>", str(world["return_id"])).replace(
            "<int:connection_id>", str(world["connection_id"])).replace("<int:token_id>", str(world["token_id"]))
        response = a.post(url, data={"enabled": "on", "note": "x", "decision:R1-1": "accepted", "name": "x"})
        assert response.status_code == 400, url
        assert a.post(url, data={"csrf_token": "forged"}).status_code == 400, url
    with hub.session() as s:
        assert s.get(ReturnRow, world["return_id"]).state == "in_shop"


def test_no_secret_in_any_page(app, hub, world):
    a = signed_in(app, hub, "a@example.com", "Merchant A")
    pages = [r.rule.replace("<int:return_id>", str(world["return_id"])).replace(
        "<int:connection_id>", str(world["connection_id"])).replace("<int:token_id>", str(world["token_id"]))
        for r in merchant_rules(app) if "GET" in r.methods]
    pages += ["/connections/new?marketplace=fakemarket&shop=fakeshop", "/?q=MO1", "/dashboard/?days=365"]
    for url in pages:
        body = a.get(url).get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in body, f"{secret} in {url}"
    token = csrf_token(a, "/")
    a.post(f"/connections/{world['connection_id']}/test", data={"csrf_token": token})
    body = a.get(f"/connections/{world['connection_id']}").get_data(as_text=True)
    assert "Connected" in body and not any(secret in body for secret in SECRETS)
    assert not re.search(r'type="password"[^>]*value="[^"]+"', body)
