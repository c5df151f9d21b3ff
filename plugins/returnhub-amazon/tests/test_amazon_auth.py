"""Login with Amazon through hub.sdk: one token per connection, one renewal on rejection, invalid_grant never loops."""
from __future__ import annotations

import pytest
from returnhub_amazon.emulator import REFRESH_TOKEN, mfn_row

from hub.errors import AuthError, PermanentError


def test_invalid_grant_raises_auth_error_once_without_looping(emu, make_adapter):
    emu.app.extensions["emulation"].token_endpoint.refresh_tokens.pop(REFRESH_TOKEN)
    adapter = make_adapter(import_fba_returns=False)
    with pytest.raises(AuthError, match="invalid_grant"):
        adapter.fetch_returns(None)
    with pytest.raises(AuthError, match="invalid_grant"):
        adapter.check()  # answered from the refusal the SDK holds: no second token request
    tokens = emu.calls("lwaToken")
    assert len(tokens) == 1 and tokens[0].response["error"] == "invalid_grant"
    assert emu.calls("createReport") == []


def test_wrong_client_secret_is_an_auth_error(emu, make_adapter):
    with pytest.raises(AuthError, match="invalid_client"):
        make_adapter(lwa_client_secret="not-the-secret").check()


def test_access_token_is_shared_by_the_adapters_of_one_connection(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMATOK", "302-0000020-0000020", "SKU-T")])
    fetch_all(make_adapter())
    fetch_all(make_adapter())
    assert len(emu.calls("lwaToken")) == 1
    make_adapter(connection_id=2).check()
    assert len(emu.calls("lwaToken")) == 2  # another connection has its own token
    sp_api = [e for e in emu.ledger() if e.path.startswith("/reports/")]
    assert sp_api and all(e.headers.get("X-Amz-Access-Token") == "***" and "Authorization" not in e.headers
                          for e in sp_api)


def test_a_rejected_token_is_renewed_once(emu, make_adapter, fetch_all):
    make_adapter().check()
    emu.app.extensions["emulation"].tokens.expire_all()
    emu.add(mfn=[mfn_row("RMARENEW", "302-0000021-0000021", "SKU-R")])
    items, _, _ = fetch_all(make_adapter(import_fba_returns=False))
    assert [i["external_id"] for i in items] == ["RMARENEW"]
    assert len(emu.calls("lwaToken")) == 2
    assert [c.status for c in emu.calls("createReport")] == [403, 202]


def test_a_token_amazon_keeps_refusing_is_an_auth_error_not_a_loop(emu, make_adapter):
    emu.faults.inject(403, count=100, path="/reports/")
    with pytest.raises(AuthError, match="403"):
        make_adapter().check()
    assert len(emu.calls("lwaToken")) == 2  # check() asks for a token, the 403 renews it once


def test_push_decision_is_refused(make_adapter):
    with pytest.raises(PermanentError, match="no return decision"):
        make_adapter().push_decision(None, [])
