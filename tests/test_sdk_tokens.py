"""hub.sdk.tokens, TokenSigningAuth and the refresh-token grant's exchange and rotation, over real loopback HTTP
against a small Lazada-style gateway (signed calls, a signed token refresh that rotates, ``IllegalAccessToken``
answered with HTTP 200). Time is a FakeClock."""
from __future__ import annotations

import threading

import flask
import pytest

from hub import clock
from hub.adapters import AdapterContext
from hub.errors import AuthError
from hub.http import ClientFactory
from hub.sdk.auth import TokenSigningAuth
from hub.sdk.oauth import OAuth2RefreshToken
from hub.sdk.signing import LAZADA_SECRET_PARAMS, lazada_signature, lazada_signer
from hub.sdk.tokens import error_code, lazada_token_exchange
from hub.testing.emulator import EmulatorServer

KEY, SECRET = "app-1", "app-S3CRET"


def gateway_app() -> flask.Flask:
    app = flask.Flask(__name__)
    st = app.state = {"lock": threading.Lock(), "access": {}, "refresh": {"rt-0"}, "refreshes": 0, "calls": []}

    def verified():
        params = [(k, v) for src in (flask.request.args, flask.request.form) for k in src for v in src.getlist(k)]
        values = dict(params)
        path = flask.request.path.removeprefix("/rest")
        return values if values.get("sign") == lazada_signature(SECRET, path, params) else None

    @app.post("/rest/auth/token/refresh")
    def refresh():
        values = verified()
        with st["lock"]:
            if values is None or values.get("refresh_token") not in st["refresh"]:
                return flask.jsonify(code="IllegalRefreshToken", type="ISV", message="invalid refresh token")
            st["refresh"].discard(values["refresh_token"])
            st["refreshes"] += 1
            n = st["refreshes"]
            st["access"][f"at-{n}"] = clock.time() + 600
            st["refresh"].add(f"rt-{n}")
        return flask.jsonify(code="0", access_token=f"at-{n}", refresh_token=f"rt-{n}", expires_in=600)

    @app.get("/rest/thing")
    def thing():
        values = verified()
        with st["lock"]:
            st["calls"].append(values and values.get("access_token"))
            if values is None:
                return flask.jsonify(code="IncompleteSignature", type="ISV", message="bad sign")
            if st["access"].get(values.get("access_token"), 0) <= clock.time():
                return flask.jsonify(code="IllegalAccessToken", type="ISV", message="invalid or expired")
        return flask.jsonify(code="0", data={"ok": True})

    return app


@pytest.fixture
def gateway():
    with EmulatorServer(gateway_app()) as server:
        yield server


def context() -> AdapterContext:
    factory = ClientFactory(allow_local=["127.0.0.1"], timeout=5.0, retries=2)
    factory.sleep = clock.sleep
    return AdapterContext(settings={}, connection_id=9, http_factory=factory)


def tokens(ctx, gateway, refresh_token="rt-0", saved=None):
    base = f"{gateway.url}/rest"
    return OAuth2RefreshToken(ctx, token_url=f"{base}/auth/token/refresh", client_id=KEY, client_secret=SECRET,
                              refresh_token=refresh_token, rotating=True, margin=60,
                              on_refresh_token=(saved.append if saved is not None else None),
                              exchange=lazada_token_exchange(ctx, gateway=base, app_key=KEY, app_secret=SECRET))


def client(ctx, gateway, source):
    auth = TokenSigningAuth(lambda token: lazada_signer(KEY, SECRET, token), source,
                            expired=lambda r: error_code(r) == "IllegalAccessToken",
                            secret_params=LAZADA_SECRET_PARAMS, secrets=[SECRET])
    return ctx.http(f"{gateway.url}/rest", auth=auth)


def test_lazada_signature_reproduces_miravias_worked_example():
    params = [("app_key", "123456"), ("access_token", "test"), ("timestamp", "1517820392000"),
              ("sign_method", "sha256"), ("order_id", "1234"), ("sign", "ignored")]
    assert lazada_signature("helloworld", "/order/get", params) == \
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"


def test_the_token_is_renewed_ahead_and_the_rotation_saved(gateway, fake_clock):
    ctx, saved = context(), []
    with client(ctx, gateway, tokens(ctx, gateway, saved=saved)) as http:
        assert http.get("/thing").json()["code"] == "0"
        fake_clock.advance(560)  # within the 60 s margin of the 600 s token: renewed before use
        assert http.get("/thing").json()["code"] == "0"
    assert gateway.app.state["calls"] == ["at-1", "at-2"] and saved == ["rt-1", "rt-2"]


def test_a_refused_token_is_renewed_once_and_the_call_resent(gateway, fake_clock):
    ctx = context()
    with client(ctx, gateway, tokens(ctx, gateway)) as http:
        http.get("/thing")
        gateway.app.state["access"].clear()  # the gateway stops taking at-1 early
        assert http.get("/thing").json()["code"] == "0"
        assert gateway.app.state["calls"] == ["at-1", "at-1", "at-2"]
        gateway.app.state["access"].clear()
        gateway.app.state["refresh"].clear()  # and now refuses the refresh token too
        with pytest.raises(AuthError, match="IllegalRefreshToken"):
            http.get("/thing")


def test_a_refused_grant_is_held_and_not_asked_again_at_once(gateway, fake_clock):
    ctx = context()
    with client(ctx, gateway, tokens(ctx, gateway, refresh_token="rt-forged")) as http:
        for _ in range(2):
            with pytest.raises(AuthError):
                http.get("/thing")
    assert gateway.app.state["calls"] == [] and gateway.app.state["refreshes"] == 0


def test_a_rotating_cache_survives_its_own_rotations_and_takes_a_new_grant(gateway, fake_clock):
    ctx, saved = context(), []
    with client(ctx, gateway, tokens(ctx, gateway, saved=saved)) as http:
        http.get("/thing")
    with client(ctx, gateway, tokens(ctx, gateway, refresh_token=saved[-1])) as http:  # the next job
        http.get("/thing")
    assert gateway.app.state["refreshes"] == 1  # the cached token served the next job
    gateway.app.state["refresh"].add("rt-reconnected")
    with client(ctx, gateway, tokens(ctx, gateway, refresh_token="rt-reconnected")) as http:
        http.get("/thing")
    assert gateway.app.state["refreshes"] == 2  # a grant the cache never saw replaces the cached one
