"""OAuth: the device flow from the connection page (plugin blueprint), expired and refused tokens, and the
rotated refresh token saved into the connection's settings."""
from __future__ import annotations

import re

import pytest
from returnhub_allegro.adapter import AllegroMarketplace

from hub.errors import AuthError


def token_calls(emu):
    return [e for e in emu.ledger.entries if e.path == "/auth/oauth/token"]


def test_an_expired_token_is_renewed_once_and_the_call_repeated(make_adapter, state, emu):
    state.seed(1)
    adapter = make_adapter()
    adapter.check()
    emu.hook("tokens/expire", {})
    adapter.client.list_returns(None, 0, 10)
    statuses = [e.status for e in emu.ledger.entries if e.path == "/order/customer-returns"]
    assert statuses[-2:] == [401, 200]
    assert len(token_calls(emu)) == 2  # the first token, then one renewal after the 401


def test_a_refused_refresh_token_is_an_auth_error_naming_the_grant(make_adapter):
    with pytest.raises(AuthError, match="invalid_grant"):
        make_adapter(refresh_token="not-a-token").check()


def test_without_a_connected_account_the_adapter_says_what_to_do(make_adapter):
    with pytest.raises(AuthError, match="Connect Allegro account"):
        make_adapter(refresh_token=None).check()


def test_the_rotated_refresh_token_is_handed_to_the_core(make_adapter, emu):
    adapter = make_adapter()
    saved = []
    adapter.ctx.save_settings = saved.append
    adapter.check()
    assert saved == [{"refresh_token": next(iter(emu.auth.endpoint.refresh_tokens))}]


def test_the_next_job_reuses_the_token_after_a_rotation(make_adapter, emu):
    first = make_adapter()
    saved = []
    first.ctx.save_settings = saved.append
    first.client.list_returns(None, 0, 1)
    second = make_adapter(refresh_token=saved[0]["refresh_token"])  # the next job reads the saved settings
    second.client.list_returns(None, 0, 1)
    assert len(token_calls(emu)) == 1
    third = make_adapter(refresh_token="reconnected-elsewhere")  # a token the cache never saw: a new grant
    with pytest.raises(AuthError, match="invalid_grant"):
        third.client.list_returns(None, 0, 1)


# -- the connection page's device flow ------------------------------------------------------------

@pytest.fixture
def web(hub):
    from hub.accounts import create_user
    from hub.app import create_app
    from hub.testing.kit.base import login
    create_user(hub, email="seller@example.com", password="a good password 1", merchant_name="Merchant A")
    client = create_app(hub=hub).test_client()
    login(client, "seller@example.com", "a good password 1")
    return client


def stored(hub, cid):
    from hub.db import Connection
    with hub.session() as s:
        return hub.box.open(s.get(Connection, cid).marketplace_settings)


def test_device_flow_from_the_connection_page(hub, web, connection, emu, fake_clock):
    cid = connection(refresh_token=None)
    page = web.get(f"/connections/{cid}").get_data(as_text=True)
    assert f'href="/plugins/allegro/connect/{cid}"' in page and "Connect Allegro account" in page
    first = web.get(f"/plugins/allegro/connect/{cid}")
    user_code = re.search(r'id="user-code"[^>]*>([0-9a-f]+)<', first.get_data(as_text=True)).group(1)
    assert f"skojarz-aplikacje?code={user_code}" in first.get_data(as_text=True)
    fake_clock.advance(5)
    pending = web.get(f"/plugins/allegro/connect/{cid}")  # polled once: not confirmed yet
    assert pending.status_code == 200 and user_code in pending.get_data(as_text=True)
    assert emu.hook("device/approve", {"user_code": user_code}) == {"approved": True}
    fake_clock.advance(5)
    done = web.get(f"/plugins/allegro/connect/{cid}")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/connections/{cid}")
    token = stored(hub, cid)["refresh_token"]
    assert token in emu.auth.endpoint.refresh_tokens
    assert token not in web.get(f"/connections/{cid}").get_data(as_text=True)  # a secret, never shown back
    from hub.connections import build_adapter
    from hub.db import Connection
    with hub.session() as s:
        conn = s.get(Connection, cid)
        s.expunge(conn)
    adapter = build_adapter(hub, conn, "marketplace")
    try:
        adapter.check()  # renews with the device flow's refresh token, and saves the rotated one
    finally:
        adapter.close()
    rotated = stored(hub, cid)["refresh_token"]
    assert rotated != token and rotated in emu.auth.endpoint.refresh_tokens
    assert token not in emu.auth.endpoint.refresh_tokens  # Allegro's rotation: the old one is spent


def test_a_denied_device_code_goes_back_with_the_reason(hub, web, connection, emu, fake_clock):
    cid = connection(refresh_token=None)
    first = web.get(f"/plugins/allegro/connect/{cid}").get_data(as_text=True)
    user_code = re.search(r'id="user-code"[^>]*>([0-9a-f]+)<', first).group(1)
    emu.hook("device/approve", {"user_code": user_code, "allow": False})
    fake_clock.advance(5)
    back = web.get(f"/plugins/allegro/connect/{cid}", follow_redirects=True).get_data(as_text=True)
    assert "access_denied" in back
    assert stored(hub, cid).get("refresh_token") is None


def test_connecting_without_the_app_credentials_says_what_is_missing(hub, web, connection):
    from hub.db import Connection
    cid = connection(refresh_token=None)
    with hub.session() as s:
        conn = s.get(Connection, cid)
        conn.marketplace_settings = {k: v for k, v in conn.marketplace_settings.items() if k != "client_secret"}
    page = web.get(f"/plugins/allegro/connect/{cid}", follow_redirects=True).get_data(as_text=True)
    assert "save the Client ID and Client secret first (client_secret)" in page


def test_another_merchants_connection_is_not_found(hub, web, connection):
    from hub.testing.connections import create_connection
    other = create_connection(hub, marketplace="allegro", shop="fakeshop", merchant="Merchant B",
                              marketplace_settings={"client_id": "x", "client_secret": "y"},
                              shop_settings={"base_url": "http://127.0.0.1:1", "token": "t", "webhook_secret": "w"})
    assert web.get(f"/plugins/allegro/connect/{other}").status_code == 404
    assert AllegroMarketplace.connection_actions(other) == [("Connect Allegro account",
                                                             f"/plugins/allegro/connect/{other}")]
