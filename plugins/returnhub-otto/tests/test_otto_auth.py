"""Client-credentials auth: one token per connection reused until its 30 minutes run out, scopes asked for,
and the emulator refusing bad, expired and under-scoped tokens as OTTO does."""
from __future__ import annotations

import httpx
import pytest
from returnhub_otto.emulator import CLIENT_ID, CLIENT_SECRET

from hub.errors import AuthError, PermanentError


def token_requests(emu):
    return [e for e in emu.ledger.entries if e.path == "/v1/token"]


def test_one_token_serves_many_calls_until_it_expires(make_adapter, state, emu, fake_clock):
    adapter = make_adapter()
    for _ in range(3):
        adapter.check()
    [asked] = token_requests(emu)
    assert asked.status == 200 and state.token_calls == 1
    fake_clock.advance(1800)  # OTTO's tokens last 30 minutes
    adapter.check()
    assert state.token_calls == 2


def test_the_scopes_are_asked_for(make_adapter, emu):
    make_adapter(scopes="orders returns").check()
    assert emu.ledger.entries[0].path == "/v1/token"
    grants = emu.app.extensions["emulation"].tokens.tokens.values()
    assert {g.scope for g in grants} == {"orders returns"}


def test_wrong_secret_is_an_auth_error(make_adapter):
    with pytest.raises(AuthError, match="invalid_client"):
        make_adapter(client_secret="wrong").check()


def test_an_unknown_scope_is_refused(make_adapter):
    with pytest.raises((AuthError, PermanentError), match="invalid_scope"):
        make_adapter(scopes="returns teleport").check()


def test_a_token_without_the_orders_scope_cannot_read_orders(make_adapter, state):
    order = state.seed(1, units=1)[0]
    adapter = make_adapter(scopes="returns")
    adapter.check()
    with pytest.raises(AuthError, match="403.*orders"):
        adapter.client.order(order["salesOrderId"])


def test_emulator_refuses_missing_unknown_and_expired_tokens(emu, fake_clock):
    resp = httpx.post(f"{emu.url}/v1/token", data={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                   "client_secret": CLIENT_SECRET, "scope": "returns"})
    token = resp.json()["access_token"]
    assert resp.json()["expires_in"] == 1800
    url = f"{emu.url}/v3/returns?status=ANNOUNCED"
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer made-up"}).status_code == 401
    fake_clock.advance(1801)
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
