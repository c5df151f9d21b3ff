"""Secrets carried by SDK auth objects (custom header names, query parameters, values) never show:
not in log records, exception strings, a connection's ``last_error`` after a failing poll, nor RQ job data.
Errors stay readable: method, path, status and the platform's error code.
"""
from __future__ import annotations

import logging
import socket
import warnings
from functools import cached_property

import flask
import httpx
import pytest
from returnhub_fakemarket.adapter import FakeMarketplace
from rq.job import Job
from rq.serializers import JSONSerializer

from hub.db import Connection
from hub.errors import PermanentError, TransientError
from hub.http import ClientFactory, Redactor, describe_error, raise_for_status
from hub.sdk.auth import Signature, SigningAuth
from hub.sdk.signing import hmac_sha256_hex, kaufland_auth
from hub.sync import queueing
from hub.sync.pipeline import Job as HubJob
from hub.sync.worker import build_worker
from hub.testing.connections import create_connection
from hub.testing.emulator import EmulatorServer

PARTNER_KEY = "pk-PARTNER-1a2b"
PARTNER_SECRET = "ps-SECRET-9z8y"
QUERY_TOKEN = "qt-ACCESS-7c6d"


def echo_app() -> flask.Flask:
    """A careless platform: its errors echo the request's URL and headers back."""
    app = flask.Flask(__name__)
    app.seen = []

    @app.route("/<path:rest>", methods=["GET", "POST", "PUT"])
    def echo(rest):
        app.seen.append({"sig": flask.request.args.get("sig"), "sign": flask.request.headers.get("Shop-Signature"),
                         "headers": dict(flask.request.headers)})
        return flask.jsonify(error="bad_request", error_description=(
            f"rejected {flask.request.url} with key {flask.request.headers.get('X-Partner-Key')} "
            f"{flask.request.headers.get('Shop-Client-Key')} sig {flask.request.headers.get('Shop-Signature')}")), 400

    return app


@pytest.fixture
def echo():
    with EmulatorServer(echo_app()) as emu:
        yield emu


def partner_auth() -> SigningAuth:
    """A scheme with a custom key header and a signature and token in the query string."""
    def sign(req):
        return Signature(headers={"X-Partner-Key": PARTNER_KEY},
                         params={"access_token": QUERY_TOKEN, "sig": hmac_sha256_hex(PARTNER_SECRET, str(req.url))})
    return SigningAuth(sign, secret_headers=["X-Partner-Key"], secret_params=["sig"],
                       secrets=[PARTNER_KEY, PARTNER_SECRET, QUERY_TOKEN])


def leaked(text: str, app) -> list[str]:
    """The secrets (fixed ones and every signature the platform received) found in ``text``."""
    values = [PARTNER_KEY, PARTNER_SECRET, QUERY_TOKEN, "kl-CLIENT-KEY", "kl-SECRET-KEY", "market-secret-key"]
    values += [s[k] for s in app.seen for k in ("sig", "sign") if s[k]]
    return [v for v in values if v in text]


def test_logs_and_exceptions_hide_custom_names_and_stay_readable(echo, caplog):
    caplog.set_level(logging.DEBUG)
    factory = ClientFactory(allow_local=["127.0.0.1"], retries=0)
    errors = []
    for auth in (partner_auth(), kaufland_auth("kl-CLIENT-KEY", "kl-SECRET-KEY")):
        with factory(echo.url, auth=auth) as client:
            response = client.get("/v2/returns", params={"storefront": "de"})
            logging.getLogger("hub.http").warning("sent %s to %s", dict(response.request.headers),
                                                  response.request.url)
            with pytest.raises(PermanentError) as caught:
                raise_for_status(response)
            errors.append(str(caught.value))
    assert len(echo.app.seen) == 2 and echo.app.seen[0]["sig"] and echo.app.seen[1]["sign"]
    logs = "\n".join(caplog.handler.format(r) for r in caplog.records
                     if r.name != "werkzeug" and not r.name.startswith("test_"))
    assert "/v2/returns" in logs and "storefront=de" in logs
    assert leaked(logs, echo.app) == [] and leaked("\n".join(errors), echo.app) == []
    assert errors[0].startswith("GET /v2/returns -> 400: bad_request: rejected http://127.0.0.1")


@pytest.mark.parametrize("body, expected", [
    ({"error": "invalid_client", "error_description": "Bad client credentials"},
     "POST /token -> 401: invalid_client: Bad client credentials"),
    ({"type": "about:blank", "title": "Unauthorized", "detail": "Token expired", "status": 401},
     "POST /token -> 401: Unauthorized: Token expired"),
    ({"errors": [{"code": "E42", "message": "quantity too large"}]}, "POST /token -> 401: E42: quantity too large"),
    ([{"code": "InvalidInput", "message": "bad date"}], "POST /token -> 401: InvalidInput: bad date"),
    ({"error": {"code": "DENIED", "message": "no access"}}, "POST /token -> 401: DENIED: no access"),
    ({"message": "Access denied"}, "POST /token -> 401: Access denied"),
])
def test_error_bodies_of_common_shapes_are_described(body, expected):
    request = httpx.Request("POST", "https://login.example/token?client_secret=zzz")
    assert describe_error(httpx.Response(401, json=body, request=request)) == expected
    plain = describe_error(httpx.Response(502, text="<html>Bad   gateway</html>", request=request))
    assert plain == "POST /token -> 502: <html>Bad gateway</html>"


def test_a_secret_in_an_error_body_is_hidden():
    Redactor.add("tok-in-BODY-55")
    request = httpx.Request("GET", "https://api.example/x")
    text = describe_error(httpx.Response(400, json={"error": "bad", "error_description": "tok-in-BODY-55 mismatch"},
                                         request=request))
    assert text == "GET /x -> 400: bad: *** mismatch"


# --- the core's records: last_error and job data -------------------------------------------------

@pytest.fixture
def hub_plugins():
    return ["fakemarket", "fakeshop"]


@pytest.fixture
def signed_fakemarket(monkeypatch):
    """The fake marketplace, its client signed with :func:`partner_auth` (as an SDK plugin would be)."""
    def client(self):
        return self.ctx.http(self.settings["base_url"], auth=partner_auth())
    prop = cached_property(client)
    prop.__set_name__(FakeMarketplace, "client")
    monkeypatch.setattr(FakeMarketplace, "client", prop)


def failing_job(url: str) -> None:
    """A job whose plugin code fails with the signed URL in its message (a careless plugin)."""
    with ClientFactory(allow_local=["127.0.0.1"], retries=0)(url, auth=partner_auth()) as client:
        response = client.get("/orders")
    raise RuntimeError(f"could not read {response.request.url} with {dict(response.request.headers)}")


def test_last_error_and_job_data_hold_no_secrets(hub, echo, shop_emu, signed_fakemarket):
    conn_id = create_connection(
        hub, marketplace="fakemarket", shop="fakeshop",
        marketplace_settings={"base_url": echo.url, "api_key": "market-secret-key"},
        shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token", "webhook_secret": "shop-wh-secret"})
    poll_id = queueing.enqueue(hub, HubJob.POLL_MARKETPLACE, conn_id)
    failed = hub.queue.enqueue(f"{__name__}.failing_job", args=(echo.url,))
    build_worker(hub).work(burst=True, logging_level="WARNING")  # the production worker class

    with hub.session() as s:
        conn = s.get(Connection, conn_id)
        last_error = conn.last_error
    assert last_error.startswith("PermanentError: GET /returns -> 400: bad_request: rejected http://127.0.0.1")
    assert leaked(last_error, echo.app) == []

    poll = Job.fetch(poll_id, connection=hub.redis, serializer=JSONSerializer)
    crash = Job.fetch(failed.id, connection=hub.redis, serializer=JSONSerializer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy_exc_info = crash.exc_info  # the job hash's own field, still written by RQ
    traceback = crash.latest_result().exc_string
    assert crash.is_failed and "RuntimeError: could not read http://127.0.0.1" in traceback
    stored = [repr(poll.args), repr(poll.kwargs), repr(poll.return_value()), repr(crash.args),
              repr(crash.kwargs), legacy_exc_info, traceback]
    assert "sig=***" in traceback and "400" in repr(poll.return_value())
    assert leaked("\n".join(stored), echo.app) == []
    assert len(echo.app.seen) >= 2


def test_a_transport_error_on_a_token_path_stays_readable():
    """Was 'TransientError: POST /token: ***' (the path read as a header named token)."""
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    factory = ClientFactory(allow_local=["127.0.0.1"], retries=0)
    with factory(f"http://127.0.0.1:{port}") as client, pytest.raises(TransientError) as caught:
        client.post("/oauth/token", data={"client_secret": "cs-in-FORM"})
    assert str(caught.value).startswith("POST /oauth/token: ConnectError")
