"""Signed requests: the SDK's signer matches Kaufland's documented example, the emulator refuses what the API
refuses (bad signature, wrong key, missing header, a clock more than 5 minutes off) with its 401 bodies."""
from __future__ import annotations

import httpx
import pytest
from returnhub_kaufland.emulator import CLIENT_KEY, SECRET_KEY

from hub.errors import AuthError
from hub.sdk.signing import kaufland_signature

# sellerapi.kaufland.com/?page=rest-api#signing-requests: the documented example.
DOC_SECRET = "a7d0cb1da1ddbc86c96ee5fedd341b7d8ebfbb2f5c83cfe0909f4e57f05dd403"
DOC_SIGNATURE = "da0b65f51c0716c1d3fa658b7eaf710583630a762a98c9af8e9b392bd9df2e2a"


def test_sdk_signature_matches_the_documented_example():
    assert kaufland_signature(DOC_SECRET, "POST", "https://sellerapi.kaufland.com/v2/units/", b"",
                              1411055926) == DOC_SIGNATURE


def signed_get(emu, path, *, secret=SECRET_KEY, key=CLIENT_KEY, stamp=None, drop=None):
    import time
    stamp = str(int(time.time())) if stamp is None else stamp
    url = f"{emu.url}{path}"
    headers = {"Shop-Client-Key": key, "Shop-Timestamp": stamp,
               "Shop-Signature": kaufland_signature(secret, "GET", url, "", stamp), "Accept": "application/json"}
    if drop:
        headers.pop(drop)
    return httpx.get(url, headers=headers)


def test_emulator_accepts_a_signed_request_with_the_url_as_sent(emu):
    resp = signed_get(emu, "/v2/returns?storefront=de&ts_created_from_iso=2026-11-01T00%3A00%3A00Z&limit=5")
    assert resp.status_code == 200, resp.text
    assert resp.json()["pagination"] == {"offset": 0, "limit": 5, "total": 0}


@pytest.mark.parametrize("kind, problem", [
    ("secret", "/problems/corrupted-signature"),
    ("key", "/problems/invalid-credentials"),
    ("header", "/problems/missing-or-invalid-request-header"),
    ("clock", "/problems/missing-or-invalid-request-header"),
])
def test_emulator_refuses_like_the_api(emu, kind, problem):
    import time
    resp = signed_get(emu, "/v2/returns", secret="0" * 64 if kind == "secret" else SECRET_KEY,
                      key="f" * 32 if kind == "key" else CLIENT_KEY,
                      stamp=str(int(time.time()) - 301) if kind == "clock" else None,
                      drop="Shop-Timestamp" if kind == "header" else None)
    assert resp.status_code == 401
    body = resp.json()
    assert body["type"] == problem and body["message"] and body["errors"] == []


def test_skew_is_judged_by_the_hub_clock(make_adapter, emu, state, fake_clock):
    """The adapter signs with hub.clock time; a server clock 6 minutes away refuses it, 4 minutes is fine."""
    adapter = make_adapter()
    state.clock_offset = 240
    adapter.check()
    state.clock_offset = -360
    with pytest.raises(AuthError, match="5 minutes"):
        adapter.check()
    fake_clock.advance(3600)  # both sides move together: still refused only by the offset
    state.clock_offset = 0
    adapter.check()


def test_wrong_secret_is_an_auth_error_not_retried(make_adapter, emu):
    with pytest.raises(AuthError, match="corrupted"):
        make_adapter(secret_key="0" * 64).check()
    assert [e.status for e in emu.ledger.entries] == [401]
