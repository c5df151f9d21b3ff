"""The web app: sign-in, CSRF, merchant scoping, the returns pages."""
from __future__ import annotations

import re

import pytest

from hub.accounts import create_user
from hub.app import create_app
from hub.sync import jobs
from returnhub_fakemarket.emulator import sample_return


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def login(client, email, password="correct horse battery"):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_login_required_and_csrf(app, hub):
    create_user(hub, email="a@example.com", password="correct horse battery", merchant_name="A")
    client = app.test_client()
    assert client.get("/").status_code == 302
    assert client.post("/login", data={"email": "a@example.com", "password": "correct horse battery"}).status_code == 400
    assert login(client, "a@example.com", "wrong password!").status_code == 401
    response = login(client, "a@example.com")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_merchant_sees_only_own_returns(app, hub, make_connection, market_emu, shop_emu, drain):
    create_user(hub, email="a@example.com", password="correct horse battery", merchant_name="Merchant A")
    create_user(hub, email="b@example.com", password="correct horse battery", merchant_name="Merchant B")
    cid = make_connection(merchant="Merchant A")
    market_emu.state["returns"].append(sample_return(1))
    shop_emu.state["orders"]["MO1"] = {"id": "SO-MO1", "number": "MO1"}
    jobs.poll_marketplace(cid)
    drain()
    a, b = app.test_client(), app.test_client()
    login(a, "a@example.com")
    login(b, "b@example.com")
    page = a.get("/returns/1").get_data(as_text=True)
    assert "MO1" in page and "Timeline" in page and "in shop" in page
    assert "R1" in a.get("/").get_data(as_text=True)
    assert b.get("/returns/1").status_code == 404
    assert "R1" not in b.get("/").get_data(as_text=True)
    assert b.post(f"/connections/{cid}/sync").status_code in (400, 404)
    assert "market-secret-key" not in a.get("/connections/").get_data(as_text=True)


def test_plugins_page_lists_capabilities(app, hub):
    create_user(hub, email="a@example.com", password="correct horse battery", merchant_name="A")
    client = app.test_client()
    login(client, "a@example.com")
    page = client.get("/plugins/").get_data(as_text=True)
    assert "Fake Marketplace" in page and "loaded" in page and "push decision" in page
