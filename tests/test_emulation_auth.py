"""The emulator toolkit's credential checks: HMAC signatures, bearer tokens that expire by hub.clock, and
an OAuth2 token endpoint that refuses what real authorization servers refuse."""
from __future__ import annotations

import httpx
import pytest
from flask import jsonify

from hub import clock
from hub.testing.emulation import EmulatorApp, fresh_timestamp, hmac_signature, verify_hmac

CLIENTS = {"client-1": "right-secret"}


@pytest.fixture
def fake():
    with clock.use(clock.FakeClock()) as c:
        yield c


@pytest.fixture
def platform(fake):
    emu = EmulatorApp(__name__)
    endpoint = emu.oauth2(CLIENTS, ttl=300)

    @emu.app.get("/me")
    @emu.require_bearer
    def me():
        from flask import g
        return jsonify(client=g.grant.client_id)

    server = emu.serve()
    client = httpx.Client(base_url=server.url, timeout=10, trust_env=False)
    yield emu, endpoint, client
    client.close()
    server.stop()


def token(client, auth=("client-1", "right-secret"), **form):
    return client.post("/token", data={"grant_type": "client_credentials", **form}, auth=auth)


def test_hmac_signature_verifies_and_rejects_a_changed_message_or_secret():
    sig = hmac_signature("shh", "GET\n/orders\n1700000000")
    assert verify_hmac("shh", "GET\n/orders\n1700000000", sig)
    assert not verify_hmac("shh", "GET\n/orders\n1700000001", sig)
    assert not verify_hmac("other", "GET\n/orders\n1700000000", sig)
    assert not verify_hmac("shh", "x", None)
    b64 = hmac_signature(b"shh", b"body", digest="sha512", encoding="base64")
    assert verify_hmac("shh", "body", b64, digest="sha512", encoding="base64")


def test_signed_timestamps_are_fresh_only_within_the_window_of_hub_clock(fake):
    now = clock.time()
    assert fresh_timestamp(str(int(now)), window=300)
    assert not fresh_timestamp(str(int(now) - 301), window=300)
    assert not fresh_timestamp("yesterday")


def test_client_credentials_give_a_bearer_token_that_opens_the_api(platform):
    _, _, client = platform
    answer = token(client)
    assert answer.status_code == 200 and answer.json()["expires_in"] == 300
    assert answer.headers["Cache-Control"] == "no-store"
    me = client.get("/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"})
    assert me.json() == {"client": "client-1"}


@pytest.mark.parametrize("auth", [("client-1", "wrong-secret"), ("nobody", "right-secret"), None])
def test_bad_client_credentials_are_invalid_client(platform, auth):
    _, _, client = platform
    answer = token(client, auth=auth)
    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")


def test_form_client_credentials_work_like_basic_auth(platform):
    _, _, client = platform
    answer = client.post("/token", data={"grant_type": "client_credentials", "client_id": "client-1",
                                         "client_secret": "right-secret"})
    assert answer.status_code == 200


def test_unsupported_grant_is_refused(platform):
    _, _, client = platform
    answer = token(client, grant_type="password")
    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_grant_type")


def test_token_expires_by_the_clock_and_then_the_api_says_401(platform, fake):
    _, _, client = platform
    access = token(client).json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    fake.advance(299)
    assert client.get("/me", headers=headers).status_code == 200
    fake.advance(1)
    assert client.get("/me", headers=headers).status_code == 401
    assert client.get("/me").status_code == 401
    assert client.get("/me", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_refresh_grant_accepts_a_known_token_and_rotates_when_asked(platform):
    emu, endpoint, client = platform
    refresh = endpoint.add_refresh_token("client-1")
    ok = token(client, grant_type="refresh_token", refresh_token=refresh)
    assert ok.status_code == 200 and "refresh_token" not in ok.json()
    bad = token(client, grant_type="refresh_token", refresh_token="guessed")
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_grant")
    endpoint.rotate = True
    rotated = token(client, grant_type="refresh_token", refresh_token=refresh).json()["refresh_token"]
    reused = token(client, grant_type="refresh_token", refresh_token=refresh)
    assert reused.json()["error"] == "invalid_grant"
    assert token(client, grant_type="refresh_token", refresh_token=rotated).status_code == 200


def test_a_refresh_token_of_another_client_is_invalid_grant(platform):
    _, endpoint, client = platform
    endpoint.clients["client-2"] = "two"
    refresh = endpoint.add_refresh_token("client-2")
    answer = token(client, grant_type="refresh_token", refresh_token=refresh)
    assert answer.json()["error"] == "invalid_grant"


def test_revoked_client_loses_its_tokens_and_gets_invalid_grant(platform):
    _, endpoint, client = platform
    access = token(client).json()["access_token"]
    endpoint.revoke("client-1")
    assert client.get("/me", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    answer = token(client)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
    assert endpoint.calls == 2
