"""Login with Amazon: cached access tokens, one renewal on rejection, invalid_grant never loops."""
from __future__ import annotations

import pytest
from returnhub_amazon.emulator import REFRESH_TOKEN, mfn_row

from hub.errors import AuthError, PermanentError


def test_invalid_grant_raises_auth_error_once_without_looping(emu, make_adapter):
    emu.hook("revoke", {"refresh_token": REFRESH_TOKEN})
    adapter = make_adapter(import_fba_returns=False)
    with pytest.raises(AuthError, match="invalid_grant"):
        adapter.fetch_returns(None)
    with pytest.raises(AuthError):
        adapter.check()
    tokens = emu.calls("lwaToken")
    assert len(tokens) == 2 and all(t["response"]["error"] == "invalid_grant" for t in tokens)
    assert emu.calls("createReport") == []


def test_wrong_client_secret_is_an_auth_error(emu, make_adapter):
    with pytest.raises(AuthError, match="invalid_client"):
        make_adapter(lwa_client_secret="not-the-secret").check()


def test_access_token_is_cached_across_adapters_of_one_process(emu, make_adapter, fetch_all):
    memo: dict = {}
    emu.add(mfn=[mfn_row("RMATOK", "302-0000020-0000020", "SKU-T")])
    fetch_all(make_adapter(memo=memo))
    fetch_all(make_adapter(memo=memo))
    assert len(emu.calls("lwaToken")) == 1
    sp_api = [e for e in emu.ledger() if e["path"].startswith("/reports/")]
    assert sp_api and all(e["auth_headers"] == ["x-amz-access-token"] for e in sp_api)


def test_a_rejected_cached_token_is_renewed_once(emu, make_adapter, fetch_all):
    memo: dict = {}
    make_adapter(memo=memo).check()
    emu.hook("expire-access-tokens", {})
    emu.add(mfn=[mfn_row("RMARENEW", "302-0000021-0000021", "SKU-R")])
    items, _, _ = fetch_all(make_adapter(memo=memo, import_fba_returns=False))
    assert [i["external_id"] for i in items] == ["RMARENEW"]
    assert len(emu.calls("lwaToken")) == 2
    assert [c["status"] for c in emu.calls("createReport")] == [403, 202]


def test_push_decision_is_refused(make_adapter):
    with pytest.raises(PermanentError, match="no return decision"):
        make_adapter().push_decision(None, [])
