"""The web app: sign-in, sessions, CSRF, merchant scoping, the returns pages. Helpers for test_web_*.py."""
from __future__ import annotations

import re

import pytest
from returnhub_fakemarket.emulator import sample_return

from hub.accounts import create_user
from hub.app import create_app
from hub.sync import jobs

PASSWORD = "correct horse battery"


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def csrf_token(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def login(client, email, password=PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def signed_in(app, hub, email="a@example.com", merchant="Merchant A"):
    """A test client signed in as a (new) user of ``merchant``."""
    create_user(hub, email=email, password=PASSWORD, merchant_name=merchant)
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def post(client, path, data=None, page=None):
    """POST with the CSRF token of a page the user can see (the token is per session)."""
    token = csrf_token(client, page or "/connections/")
    return client.post(path, data={**(data or {}), "csrf_token": token})


def import_returns(hub, market_emu, shop_emu, drain, cid, numbers, order_in_shop=True):
    """Put returns in the fake marketplace, poll, and run the pipeline jobs."""
    for n in numbers:
        market_emu.state["returns"].append(sample_return(n))
        if order_in_shop:
            shop_emu.state["orders"][f"MO{n}"] = {"id": f"SO-MO{n}", "number": f"MO{n}"}
    jobs.poll_marketplace(cid)
    drain()


def test_login_required_and_csrf(app, hub):
    create_user(hub, email="a@example.com", password=PASSWORD, merchant_name="A")
    client = app.test_client()
    assert client.get("/").status_code == 302
    assert client.post("/login", data={"email": "a@example.com", "password": PASSWORD}).status_code == 400
    assert login(client, "a@example.com", "wrong password!").status_code == 401
    response = login(client, "a@example.com")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/").status_code == 200


def test_session_ends_at_sign_out_even_for_a_copied_cookie(app, hub):
    client = signed_in(app, hub)
    cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 200
    assert post(client, "/logout", page="/").status_code == 302
    assert client.get("/").status_code == 302
    assert thief.get("/").status_code == 302, "the server-side session must be gone"


def test_session_id_rotates_at_login_and_idle_timeout_applies(app, hub):
    client = signed_in(app, hub)
    sid = client.get_cookie("session").value
    post(client, "/logout", page="/")
    login(client, "a@example.com")
    assert client.get_cookie("session").value != sid
    keys = hub.redis.keys("returnhub:web-session:*")
    assert len(keys) == 1
    ttl = hub.redis.ttl(keys[0])
    assert 0 < ttl <= hub.config.session_idle_minutes * 60
    hub.redis.delete(keys[0])  # what the idle timeout does
    assert client.get("/").status_code == 302


def test_login_throttle_and_safe_redirect(app, hub):
    create_user(hub, email="a@example.com", password=PASSWORD, merchant_name="A")
    client = app.test_client()
    for _ in range(5):
        assert login(client, "a@example.com", "not the password").status_code == 401
    assert login(client, "a@example.com").status_code == 429
    other = app.test_client()
    hub.redis.delete(*hub.redis.keys("returnhub:login-failures:*"))
    token = csrf_token(other)
    response = other.post("/login?next=//evil.example/x",
                          data={"email": "a@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_secure_cookie_flag_follows_config(hub):
    hub.config.secure_cookies = True
    create_user(hub, email="a@example.com", password=PASSWORD, merchant_name="A")
    client = create_app(hub=hub).test_client()
    cookie = login(client, "a@example.com").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_merchant_sees_only_own_returns(app, hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection(merchant="Merchant A")
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    a = signed_in(app, hub, "a@example.com", "Merchant A")
    b = signed_in(app, hub, "b@example.com", "Merchant B")
    page = a.get("/returns/1").get_data(as_text=True)
    assert "MO1" in page and "Timeline" in page and "in shop" in page
    assert 'href="/returns/1"' in a.get("/").get_data(as_text=True)
    assert b.get("/returns/1").status_code == 404
    assert 'href="/returns/1"' not in b.get("/").get_data(as_text=True)
    assert post(b, f"/connections/{cid}/sync").status_code == 404
    assert "market-secret-key" not in a.get("/connections/").get_data(as_text=True)


def test_plugins_page_lists_capabilities(app, hub):
    client = signed_in(app, hub)
    page = client.get("/plugins/").get_data(as_text=True)
    assert "Fake Marketplace" in page and "loaded" in page and "Push decisions" in page
    assert 'id="marketplace-matrix"' in page and 'id="shop-matrix"' in page
    assert "Fake Informational Marketplace" in page and "recorded only" in page
