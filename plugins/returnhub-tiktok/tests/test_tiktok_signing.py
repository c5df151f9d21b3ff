"""The signature recipe against a value worked out by hand, and the emulator refusing what TikTok refuses:
a bad sign, a stale timestamp, a missing access token, a wrong shop cipher, unknown enums, reused keys."""
from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
from returnhub_tiktok.emulator import ACCESS_TOKEN, APP_KEY, APP_SECRET, SHOP_CIPHER

from hub import clock
from hub.errors import AuthError, PermanentError
from hub.sdk.signing import tiktok_signature

SEARCH = "/return_refund/202309/returns/search"


def test_signature_matches_the_documented_recipe():
    body = '{"return_ids":["1"]}'
    params = [("timestamp", "1700000000"), ("app_key", "k"), ("shop_cipher", "c"), ("sign", "x"),
              ("access_token", "t")]
    plain = "s" + SEARCH + "app_keykshop_cipherctimestamp1700000000" + body + "s"
    assert tiktok_signature("s", SEARCH, params, body) == hmac.new(b"s", plain.encode(), hashlib.sha256).hexdigest()


def signed(path, *, body=b"", secret=APP_SECRET, stamp=None, token=ACCESS_TOKEN, **extra):
    params = {"app_key": APP_KEY, "timestamp": str(stamp if stamp is not None else int(clock.time())),
              "shop_cipher": SHOP_CIPHER, **extra}
    params["sign"] = tiktok_signature(secret, path, params.items(), body)
    headers = {"content-type": "application/json", **({"x-tts-access-token": token} if token else {})}
    return params, headers


def post(emu, path, body: dict | None = None, **kw):
    raw = json.dumps(body or {}).encode()
    params, headers = signed(path, body=raw, **kw)
    return httpx.post(emu.url + path, params=params, content=raw, headers=headers)


def test_a_well_signed_search_is_answered(emu, state):
    state.seed(2)
    resp = post(emu, SEARCH, page_size="10")
    assert resp.status_code == 200 and resp.json()["code"] == 0
    assert len(resp.json()["data"]["return_orders"]) == 2


@pytest.mark.parametrize("fault, code", [("secret", 106001), ("stale", 106011), ("token", 105001)])
def test_bad_requests_are_refused(emu, fault, code):
    kw = {"secret": "wrong"} if fault == "secret" else {"stamp": int(clock.time()) - 301} if fault == "stale" \
        else {"token": None}
    resp = post(emu, SEARCH, **kw)
    assert resp.status_code == 401 and resp.json()["code"] == code


def test_unknown_enums_and_reused_keys_are_refused(emu, state):
    rid = state.seed(1, return_type="REFUND")[0]["return_id"]
    path = f"/return_refund/202309/returns/{rid}/approve"
    assert post(emu, path, {"decision": "APPROVE_EVERYTHING"}, idempotency_key="k1").status_code == 400
    assert post(emu, path, {"decision": "APPROVE_REFUND"}).status_code == 400  # no key
    assert post(emu, path, {"decision": "APPROVE_REFUND"}, idempotency_key="k2").json()["code"] == 0
    assert post(emu, path, {"decision": "APPROVE_REFUND"}, idempotency_key="k2").json()["code"] == 0  # replay
    assert post(emu, path, {"decision": "APPROVE_RETURN"}, idempotency_key="k2").status_code == 400
    assert len(state.decisions) == 1


def test_the_adapter_maps_refusals(make_adapter):
    with pytest.raises(AuthError):
        make_adapter(app_secret="not-the-secret").check()
    with pytest.raises(AuthError):
        make_adapter(access_token="expired").check()
    with pytest.raises(PermanentError):
        make_adapter(shop_cipher="ROW_other").check()


def test_an_expired_token_is_refused_with_105002_and_the_refresh_token_rotates(emu, state, fake_clock):
    from returnhub_tiktok.emulator import REFRESH_TOKEN

    def refresh(token, secret=APP_SECRET):
        return httpx.get(emu.url + "/api/v2/token/refresh", params={
            "app_key": APP_KEY, "app_secret": secret, "refresh_token": token, "grant_type": "refresh_token"}).json()

    assert refresh(REFRESH_TOKEN, secret="wrong")["code"] != 0
    issued = refresh(REFRESH_TOKEN)
    assert issued["code"] == 0 and issued["data"]["access_token_expire_in"] == int(clock.time()) + 7 * 86400
    assert post(emu, SEARCH, token=issued["data"]["access_token"]).json()["code"] == 0
    fake_clock.advance(7 * 86400)
    expired = post(emu, SEARCH, token=issued["data"]["access_token"])
    assert expired.status_code == 401 and expired.json()["code"] == 105002
    assert refresh(REFRESH_TOKEN)["code"] != 0  # spent by the first refresh
    assert refresh(issued["data"]["refresh_token"])["code"] == 0


def test_a_refused_refresh_token_is_an_auth_error(make_adapter):
    with pytest.raises(AuthError, match="refresh token"):
        make_adapter(access_token=None, refresh_token="ROW_unknown").check()
