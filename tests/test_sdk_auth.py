"""hub.sdk.auth over real loopback HTTP: API keys, OAuth2 token reuse and renewal, signing on every attempt.

Time is a FakeClock: token expiry and signature timestamps move only when the test says so.
"""
from __future__ import annotations

import base64
import threading

import flask
import pytest

from hub import clock
from hub.adapters import AdapterContext
from hub.errors import AuthError
from hub.http import ClientFactory, raise_for_status
from hub.sdk.auth import ApiKeyAuth, BasicAuth, BearerAuth, Signature, SigningAuth
from hub.sdk.oauth import OAuth2ClientCredentials, OAuth2RefreshToken, forget_tokens
from hub.sdk.signing import (
    kaufland_auth,
    kaufland_signature,
    tiktok_auth,
    tiktok_signature,
)
from hub.testing.emulator import EmulatorServer

LOCAL = ["127.0.0.1"]
START = 1_800_000_000.0


def platform_app() -> flask.Flask:
    """An OAuth2 platform: /token issues tokens (Basic or body client auth), /api checks them."""
    app = flask.Flask(__name__)
    app.state = {"tokens": {}, "token_calls": [], "api_calls": [], "ttl": 300, "refuse": None,
                 "rotate": False, "issued": 0, "reject_all": False, "fail_first": 0, "lock": threading.Lock()}
    st = app.state

    @app.post("/oauth/token")
    def token():
        form = flask.request.form.to_dict()
        auth = flask.request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            form.update(client_id=cid, client_secret=secret, via="basic")
        with st["lock"]:
            st["token_calls"].append(form)
            if st["refuse"]:
                return flask.jsonify(error=st["refuse"], error_description="The grant is revoked"), 400
            if form.get("client_secret") != "cs-S3CRET":
                return flask.jsonify(error="invalid_client", error_description="Bad client credentials"), 401
            if form["grant_type"] == "refresh_token" and form.get("refresh_token") not in ("rt-1", "rt-2"):
                return flask.jsonify(error="invalid_grant"), 400
            st["issued"] += 1
            value = f"at-{st['issued']}"
            st["tokens"][value] = True
            body = {"access_token": value, "token_type": "bearer"}
            if st["ttl"] is not None:
                body["expires_in"] = st["ttl"]
            if st["rotate"] and form["grant_type"] == "refresh_token":
                body["refresh_token"] = "rt-2"
        return flask.jsonify(body)

    @app.get("/api/<path:rest>")
    def api(rest):
        auth = flask.request.headers.get("Authorization", "")
        with st["lock"]:
            st["api_calls"].append(auth)
            if st["fail_first"]:
                st["fail_first"] -= 1
                return flask.Response("busy", status=503, headers={"Retry-After": "1"})
            if st["reject_all"] or not st["tokens"].get(auth.removeprefix("Bearer ")):
                return flask.jsonify(title="Unauthorized", detail="Expired or invalid token", status=401), 401
        return flask.jsonify(ok=True, query=flask.request.args.to_dict(),
                             key=flask.request.headers.get("X-Api-Key"))

    return app


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(platform_app()) as emu:
        yield emu


@pytest.fixture
def platform(server):
    st = server.app.state
    st.update(tokens={}, token_calls=[], api_calls=[], ttl=300, refuse=None, rotate=False, issued=0,
              reject_all=False, fail_first=0)
    forget_tokens()
    yield server
    forget_tokens()


@pytest.fixture
def fake_clock():
    with clock.use(clock.FakeClock(START)) as fake:
        yield fake


def context(connection_id=7, **factory_options) -> AdapterContext:
    factory = ClientFactory(allow_local=LOCAL, timeout=5.0, retries=2, **factory_options)
    factory.sleep = clock.sleep
    return AdapterContext(settings={}, connection_id=connection_id, http_factory=factory)


def client_credentials(ctx, platform, **kw):
    options = {"token_url": f"{platform.url}/oauth/token", "client_id": "cid", "client_secret": "cs-S3CRET"}
    options.update(kw)
    return OAuth2ClientCredentials(ctx, **options)


# --- API key, bearer, basic ---------------------------------------------------------------------

def test_api_key_in_a_header_or_in_the_query(platform):
    ctx = context()
    with ctx.http(platform.url, auth=ApiKeyAuth("X-Api-Key", "k-HEADER")) as client:
        assert client.get("/api/echo").status_code == 401  # no bearer: the API's own check
    st = platform.app.state
    st["tokens"]["x"] = True
    with ctx.http(platform.url, auth=ApiKeyAuth("X-Api-Key", "k-HEADER"), headers={"Authorization": "Bearer x"}) \
            as client:
        assert client.get("/api/echo").json()["key"] == "k-HEADER"
    with ctx.http(platform.url, auth=ApiKeyAuth("api_key", "k-QUERY", location="query"),
                  headers={"Authorization": "Bearer x"}) as client:
        assert client.get("/api/echo", params={"page": 2}).json()["query"] == {"page": "2", "api_key": "k-QUERY"}


def test_bearer_and_basic_set_their_headers(platform):
    platform.app.state["tokens"]["fixed-T0KEN"] = True
    with context().http(platform.url, auth=BearerAuth("fixed-T0KEN")) as client:
        assert client.get("/api/x").status_code == 200
    request = context().http(platform.url, auth=BasicAuth("user", "pa55")).build_request("GET", "/api/x")
    flow = BasicAuth("user", "pa55").sync_auth_flow(request)
    sent = next(flow)
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"user:pa55").decode()


# --- OAuth2 -------------------------------------------------------------------------------------

def test_one_token_per_connection_and_client_shared_across_clients(platform, fake_clock):
    ctx_a, ctx_b = context(7), context(7)
    for ctx in (ctx_a, ctx_b):  # two adapters of one connection in one process
        with ctx.http(platform.url, auth=client_credentials(ctx, platform)) as client:
            assert client.get("/api/one").status_code == 200
            assert client.get("/api/two").status_code == 200
    assert len(platform.app.state["token_calls"]) == 1
    other = context(8)  # another connection, same client id: a token of its own
    with other.http(platform.url, auth=client_credentials(other, platform)) as client:
        client.get("/api/one")
    assert len(platform.app.state["token_calls"]) == 2


def test_token_is_renewed_ahead_of_expiry_by_the_margin(platform, fake_clock):
    ctx = context()
    with ctx.http(platform.url, auth=client_credentials(ctx, platform, margin=60)) as client:
        client.get("/api/a")
        fake_clock.advance(300 - 60 - 1)  # one second before the margin: still the cached token
        client.get("/api/b")
        assert len(platform.app.state["token_calls"]) == 1
        fake_clock.advance(2)  # inside the margin, though the platform would still accept it
        client.get("/api/c")
    calls = platform.app.state["api_calls"]
    assert len(platform.app.state["token_calls"]) == 2
    assert calls == ["Bearer at-1", "Bearer at-1", "Bearer at-2"]


def test_a_missing_expires_in_is_not_forever(platform, fake_clock):
    platform.app.state["ttl"] = None
    ctx = context()
    with ctx.http(platform.url, auth=client_credentials(ctx, platform, default_ttl=600)) as client:
        client.get("/api/a")
        fake_clock.advance(600)
        client.get("/api/b")
    assert len(platform.app.state["token_calls"]) == 2


def test_concurrent_requests_renew_once(platform, fake_clock):
    ctx = context()
    auth = client_credentials(ctx, platform)
    with ctx.http(platform.url, auth=auth) as client:
        threads = [threading.Thread(target=client.get, args=(f"/api/{i}",)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert len(platform.app.state["token_calls"]) == 1
    assert len(platform.app.state["api_calls"]) == 8


def test_a_401_renews_once_and_resends(platform, fake_clock):
    ctx = context()
    with ctx.http(platform.url, auth=client_credentials(ctx, platform)) as client:
        client.get("/api/a")
        platform.app.state["tokens"].clear()  # the platform revokes the token before its expiry
        assert client.get("/api/b").status_code == 200
    assert platform.app.state["api_calls"] == ["Bearer at-1", "Bearer at-1", "Bearer at-2"]


def test_a_second_401_is_an_auth_error_without_a_loop(platform, fake_clock):
    platform.app.state["reject_all"] = True
    ctx = context()
    with ctx.http(platform.url, auth=client_credentials(ctx, platform)) as client, \
            pytest.raises(AuthError) as caught:
        client.get("/api/a")
    assert len(platform.app.state["api_calls"]) == 2 and len(platform.app.state["token_calls"]) == 2
    message = str(caught.value)
    assert "GET /api/a -> 401: Unauthorized: Expired or invalid token" in message
    assert "at-" not in message and "cs-S3CRET" not in message


def test_a_wrong_secret_is_a_readable_auth_error_asked_once(platform, fake_clock):
    ctx = context()
    auth = client_credentials(ctx, platform, client_secret="wrong-s3cret", client_auth="basic")
    with ctx.http(platform.url, auth=auth) as client:
        for _ in range(3):
            with pytest.raises(AuthError) as caught:
                client.get("/api/a")
    assert len(platform.app.state["token_calls"]) == 1  # the refusal is held: no loop on the endpoint
    assert platform.app.state["token_calls"][0]["via"] == "basic"
    message = str(caught.value)
    assert "POST /oauth/token -> 401: invalid_client: Bad client credentials" in message
    assert "wrong-s3cret" not in message and platform.app.state["api_calls"] == []


def test_invalid_grant_is_an_auth_error(platform, fake_clock):
    platform.app.state["refuse"] = "invalid_grant"
    ctx = context()
    auth = OAuth2RefreshToken(ctx, token_url=f"{platform.url}/oauth/token", client_id="cid",
                              client_secret="cs-S3CRET", refresh_token="rt-1")
    with ctx.http(platform.url, auth=auth) as client, pytest.raises(AuthError) as caught:
        client.get("/api/a")
    assert "400: invalid_grant: The grant is revoked" in str(caught.value)
    assert "rt-1" not in str(caught.value)


def test_refresh_token_rotation_is_kept_and_persisted(platform, fake_clock):
    saved = []
    ctx = context()
    platform.app.state["rotate"] = True
    auth = OAuth2RefreshToken(ctx, token_url=f"{platform.url}/oauth/token", client_id="cid",
                              client_secret="cs-S3CRET", refresh_token="rt-1", on_refresh_token=saved.append)
    with ctx.http(platform.url, auth=auth) as client:
        client.get("/api/a")
        fake_clock.advance(3600)
        platform.app.state["rotate"] = False  # no refresh token in this answer: keep rt-2
        client.get("/api/b")
        fake_clock.advance(3600)
        client.get("/api/c")
    sent = [c["refresh_token"] for c in platform.app.state["token_calls"]]
    assert sent == ["rt-1", "rt-2", "rt-2"] and saved == ["rt-2"]
    assert all(c["client_secret"] == "cs-S3CRET" and "via" not in c for c in platform.app.state["token_calls"])


def test_token_calls_share_the_connection_rate_limit(platform, fake_clock, redis_conn):
    ctx = context(redis=redis_conn, limiter_key="conn:7:test", rate_limit={"requests": 10, "per_seconds": 3600})
    with ctx.http(platform.url, auth=client_credentials(ctx, platform)) as client:
        client.get("/api/a")
    tokens = float(redis_conn.hget("returnhub:ratelimit:conn:7:test", "tokens"))
    assert 7.9 < tokens < 8.1  # one token request + one API request from the same bucket


def test_a_token_expiring_during_a_back_off_is_renewed_before_the_retry(platform, fake_clock):
    ctx = context()
    with ctx.http(platform.url, auth=client_credentials(ctx, platform, margin=0)) as client:
        client.get("/api/warm")
        fake_clock.advance(299)  # the 503's Retry-After (1 s) takes the token past its expiry
        platform.app.state["fail_first"] = 1
        assert client.get("/api/a").status_code == 200
    assert platform.app.state["api_calls"] == ["Bearer at-1", "Bearer at-1", "Bearer at-2"]


# --- signing ------------------------------------------------------------------------------------

def signed_app() -> flask.Flask:
    """Verifies Kaufland and TikTok signatures; refuses the first attempt of each path with a 503."""
    app = flask.Flask(__name__)
    app.attempts = []

    def first_attempt() -> bool:
        return len([a for a in app.attempts if a[0] == flask.request.path]) == 1

    @app.route("/v2/<path:rest>", methods=["GET", "POST"])
    def kaufland(rest):
        h = flask.request.headers
        stamp = h.get("Shop-Timestamp", "")
        expected = kaufland_signature("kl-SECRET", flask.request.method, flask.request.url,
                                      flask.request.get_data(), stamp)
        app.attempts.append((flask.request.path, stamp, h.get("Shop-Signature") == expected,
                             h.get("Shop-Client-Key")))
        if first_attempt():
            return flask.Response("try again", status=503, headers={"Retry-After": "2"})
        return flask.jsonify(ok=app.attempts[-1][2])

    @app.route("/api/<path:rest>", methods=["GET", "POST"])
    def tiktok(rest):
        args = flask.request.args
        params = [(k, v) for k, v in args.items(multi=True)]
        expected = tiktok_signature("tt-SECRET", flask.request.path, params, flask.request.get_data())
        app.attempts.append((flask.request.path, args.get("timestamp"), args.get("sign") == expected,
                             args.get("app_key"), flask.request.headers.get("x-tts-access-token")))
        if first_attempt():
            return flask.Response("try again", status=503, headers={"Retry-After": "2"})
        return flask.jsonify(ok=app.attempts[-1][2], args={k: args.getlist(k) for k in args})

    return app


@pytest.fixture
def signed():
    with EmulatorServer(signed_app()) as emu:
        yield emu


def test_kaufland_signature_is_recomputed_on_the_retry(signed, fake_clock):
    with context().http(signed.url, auth=kaufland_auth("kl-CLIENT", "kl-SECRET")) as client:
        response = client.post("/v2/returns?storefront=de", json={"id": 1})
    assert response.json() == {"ok": True}
    (_, stamp1, ok1, key1), (_, stamp2, ok2, key2) = signed.app.attempts
    assert ok1 and ok2 and key1 == key2 == "kl-CLIENT"
    assert int(stamp2) == int(stamp1) + 2  # the Retry-After wait moved the clock: a new timestamp
    assert fake_clock.slept == [2.0]


def test_tiktok_sign_covers_sorted_query_and_body_on_every_attempt(signed, fake_clock):
    auth = tiktok_auth("tt-APP", "tt-SECRET", access_token="tt-ACCESS")
    with context().http(signed.url, auth=auth) as client:
        response = client.post("/api/return_refund/202309/returns/search",
                               params={"page_size": 50, "shop_cipher": "C1"}, json={"update_time_ge": 1})
    body = response.json()
    assert body["ok"] is True
    assert sorted(body["args"]) == ["app_key", "page_size", "shop_cipher", "sign", "timestamp"]
    assert [len(v) for v in body["args"].values()] == [1] * 5  # no parameter added twice by the re-sign
    first, second = signed.app.attempts
    assert first[2] and second[2] and second[1] != first[1] and second[4] == "tt-ACCESS"


def test_a_custom_signer_sees_method_url_body_and_clock_time(signed, fake_clock):
    seen = []

    def signer(req):
        seen.append((req.method, req.path, req.query, req.body, req.time))
        return {"X-Custom-Sig": f"{req.time:.0f}"}

    with context().http(signed.url, auth=SigningAuth(signer, secret_headers=["X-Custom-Sig"])) as client:
        client.post("/v2/thing", params={"b": "2", "a": "1"}, content=b"payload")
    assert seen[0] == ("POST", "/v2/thing", [("b", "2"), ("a", "1")], b"payload", START)
    assert seen[-1][4] == START + 2
    assert isinstance(Signature(headers={}).params, dict)


def test_raise_for_status_still_applies_to_signed_clients(signed, fake_clock):
    with context().http(signed.url, auth=kaufland_auth("kl-CLIENT", "kl-SECRET")) as client:
        raise_for_status(client.get("/v2/x"))
