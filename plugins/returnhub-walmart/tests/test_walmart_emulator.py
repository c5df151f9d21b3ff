"""The emulator refuses what Walmart refuses: bad or expired tokens, missing WM_ headers, unknown enums,
over-quantity and wrong-unit refunds; and the adapter renews an expired token once and goes on."""
from __future__ import annotations

import httpx
import pytest
from returnhub_walmart.emulator import CLIENT_ID, CLIENT_SECRET

from hub.errors import AuthError


@pytest.fixture
def token(emu):
    resp = httpx.post(f"{emu.url}/v3/token", data={"grant_type": "client_credentials"},
                      auth=(CLIENT_ID, CLIENT_SECRET), headers=headers(None))
    assert resp.status_code == 200 and resp.json()["expires_in"] == 900
    return resp.json()["access_token"]


def headers(token, **extra):
    base = {"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "5d8e0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "Accept": "application/json"}
    if token:
        base["WM_SEC.ACCESS_TOKEN"] = token
    return {**base, **extra}


def code(resp):
    return resp.json()["errors"][0]["code"]


def test_bad_client_secret_is_refused(emu, make_adapter):
    resp = httpx.post(f"{emu.url}/v3/token", data={"grant_type": "client_credentials"},
                      auth=(CLIENT_ID, "wrong"), headers=headers(None))
    assert resp.status_code == 401
    with pytest.raises(AuthError, match="refused the credentials"):
        make_adapter(client_secret="wrong").check()


@pytest.mark.parametrize("missing", ["WM_SVC.NAME", "WM_QOS.CORRELATION_ID"])
def test_missing_wm_headers_are_refused(emu, token, missing):
    sent = headers(token)
    del sent[missing]
    resp = httpx.get(f"{emu.url}/v3/returns", headers=sent)
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == missing


def test_bad_missing_and_expired_tokens_are_refused(emu, token, fake_clock):
    assert httpx.get(f"{emu.url}/v3/returns", headers=headers(token)).status_code == 200
    for bad in ("not-a-token", None):
        resp = httpx.get(f"{emu.url}/v3/returns", headers=headers(bad))
        assert resp.status_code == 401 and code(resp) == "UNAUTHORIZED.GMP_GATEWAY_API"
    fake_clock.advance(901)
    assert httpx.get(f"{emu.url}/v3/returns", headers=headers(token)).status_code == 401


@pytest.mark.parametrize("param, value", [("status", "SHIPPED"), ("returnType", "EXCHANGE"), ("limit", "201"),
                                          ("returnCreationStartDate", "yesterday")])
def test_unknown_enums_and_bad_filters_are_refused(emu, token, param, value):
    resp = httpx.get(f"{emu.url}/v3/returns", params={param: value}, headers=headers(token))
    assert resp.status_code == 400 and resp.json()["errors"][0]["field"] == param


@pytest.mark.parametrize("line, why", [
    ({"returnOrderLineNumber": 1, "quantity": {"unitOfMeasure": "EACH", "measurementValue": 3}}, "exceeds"),
    ({"returnOrderLineNumber": 1, "quantity": {"unitOfMeasure": "DOZEN", "measurementValue": 1}}, "unitOfMeasure"),
    ({"returnOrderLineNumber": 9, "quantity": {"unitOfMeasure": "EACH", "measurementValue": 1}}, "no line 9")])
def test_bad_refunds_are_refused_and_change_nothing(emu, token, state, line, why):
    ret = state.seed(1, lines=1, quantity=2)[0]
    resp = httpx.post(f"{emu.url}/v3/returns/{ret['returnOrderId']}/refund", headers=headers(token),
                      json={"customerOrderId": ret["customerOrderId"], "refundLines": [line]})
    assert resp.status_code == 400 and why in resp.json()["errors"][0]["description"]
    assert ret["returnOrderLines"][0]["refundedQty"] == 0


def test_an_expired_token_is_renewed_once_and_the_poll_goes_on(make_adapter, page_walker, state, emu, fake_clock):
    state.seed(2)
    adapter = make_adapter()
    adapter.check()
    emu.hook("expire-tokens", {})
    assert len(page_walker(adapter).items) == 2
    tokens = [e for e in emu.ledger.entries if e.path == "/v3/token"]
    assert [e.status for e in tokens] == [200, 200]
    assert [e.status for e in emu.ledger.entries if e.path == "/v3/returns"][:3] == [200, 401, 200]
    fake_clock.advance(15 * 60)  # the token's life: renewed ahead, no 401 this time
    page_walker(adapter)
    assert len([e for e in emu.ledger.entries if e.path == "/v3/token"]) == 3


def test_every_request_has_its_own_correlation_id(make_adapter, page_walker, state, emu):
    state.seed(25, lines=1)
    page_walker(make_adapter(page_size=10))
    ids = [e.headers.get("Wm-Qos.Correlation-Id") for e in emu.ledger.entries]
    assert all(ids) and len(set(ids)) == len(ids)
    assert {e.headers.get("Wm-Svc.Name") for e in emu.ledger.entries} == {"Walmart Marketplace"}


def test_the_token_endpoint_wants_basic_client_credentials(emu):
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    resp = httpx.post(f"{emu.url}/v3/token", data=form, headers=headers(None))
    assert resp.status_code == 401 and resp.json()["errors"][0]["field"] == "Authorization"
    resp = httpx.post(f"{emu.url}/v3/token", json={"grant_type": "client_credentials"},
                      auth=(CLIENT_ID, CLIENT_SECRET), headers=headers(None))
    assert resp.status_code == 400
