"""Security headers on every page type, and the sign-in redirect that only follows same-origin paths."""
from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select
from test_web import PASSWORD, csrf_token, import_returns, signed_in

from hub.accounts import create_user
from hub.app import create_app
from hub.db import ReturnRow
from hub.web.redirects import same_origin_path


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def assert_secure_headers(response, url):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", url
    assert directives.get("script-src") == "script-src 'self'", f"{url}: no inline or eval script allowed"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert directives.get("object-src") == "object-src 'none'", url
    assert response.headers.get("X-Frame-Options") == "DENY", url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy") == "same-origin", url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle\s*=", re.IGNORECASE)


def test_every_page_type_sends_the_headers_and_no_inline_script(app, hub, make_connection, market_emu, shop_emu,
                                                                 drain):
    cid = make_connection(merchant="Merchant A")
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    with hub.session() as s:
        return_id = s.scalar(select(ReturnRow.id))
    anonymous = app.test_client()
    for url in ("/login", "/api/v1/docs", "/api/v1/openapi.json", "/static/hub.css", "/nowhere"):
        assert_secure_headers(anonymous.get(url), url)
    client = signed_in(app, hub)
    pages = ["/", "/dashboard/", f"/returns/{return_id}", "/connections/", f"/connections/{cid}", "/plugins/",
             "/returns/export.csv", "/api/v1/returns", "/tokens/", "/privacy/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 401), url
        assert_secure_headers(response, url)
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert not INLINE_SCRIPT.search(html), f"{url}: inline script {INLINE_SCRIPT.search(html).group(0)!r}"
            assert not INLINE_STYLE.search(html), f"{url}: inline style"
    docs = anonymous.get("/api/v1/docs").get_data(as_text=True)
    assert not INLINE_SCRIPT.search(docs) and "swagger-init.js" in docs
    for script in re.findall(r'<script src="([^"]+)"', docs):
        assert anonymous.get(script).status_code == 200, script
    # an error page and a redirect carry them too
    assert_secure_headers(client.get("/returns/999999"), "404")
    assert_secure_headers(anonymous.get("/"), "302")


def test_hsts_only_over_https(app, hub):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://hub.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(hub):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    hub.config.trusted_proxies = 0
    untrusted = create_app(hub=hub).test_client()
    assert "Strict-Transport-Security" not in untrusted.get("/login", headers=forwarded).headers
    hub.config.trusted_proxies = 1
    trusted = create_app(hub=hub).test_client()
    assert "Strict-Transport-Security" in trusted.get("/login", headers=forwarded).headers


# The raw query-string value of ?next=; the first group is refused, the second kept.
REFUSED = [
    "//evil.example", "///evil.example", "/%09/evil.example", "/%0d%0a/x", "/%0a/evil.example",
    "/\\evil.example", "%5C%5Cevil.example", "/%5Cevil.example", "\\\\evil.example", "/%2F/evil.example",
    "/%252F/evil.example", "https://evil.example", "HtTpS://evil.example/", "%68ttps://evil.example",
    "javascript:alert(1)", "JaVaScRiPt%3Aalert(1)", "data:text/html,x", "evil.example", "%2F%2Fevil.example",
    "/%00/evil.example", "%20//evil.example", "/%E2%80%A8/evil.example", "/%7F/x", "",
]
KEPT = ["/returns/5", "/?state=needs_attention&connection=2", "/connections/", "/dashboard?days=30#top"]


@pytest.mark.parametrize("raw", REFUSED)
def test_redirect_refuses_other_origins(raw):
    assert same_origin_path(unquote(raw)) is None, raw


@pytest.mark.parametrize("raw", KEPT)
def test_redirect_keeps_same_origin_paths(raw):
    assert same_origin_path(raw) == raw


def test_sign_in_redirect_end_to_end(app, hub):
    create_user(hub, email="a@example.com", password=PASSWORD, merchant_name="A")
    for raw in REFUSED + KEPT:
        client = app.test_client()
        token = csrf_token(client)
        query = raw if raw in REFUSED else quote(raw, safe="/")
        response = client.post(f"/login?next={query}",
                               data={"email": "a@example.com", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, raw
        assert response.headers["Location"] == ("/" if raw in REFUSED else raw), raw
        hub.redis.delete(*(hub.redis.keys("returnhub:login-failures:*") or ["none"]))
