"""OAuth "code for token" from the connection page (plugin blueprint), the rotated refresh token saved and reused
by the next job, refused grants."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hub.errors import AuthError


def refreshes(emu):
    return [e for e in emu.ledger.entries if e.path.endswith("/auth/token/refresh")]


def test_the_rotated_refresh_token_is_handed_to_the_core_and_reused_by_the_next_job(make_adapter, emu, state):
    first = make_adapter()
    saved = []
    first.ctx.save_settings = saved.append
    first.check()
    assert saved == [{"refresh_token": next(iter(state.refresh_tokens))}]
    second = make_adapter(refresh_token=saved[0]["refresh_token"])  # the next job reads the saved settings
    second.fetch_returns(None)
    assert len(refreshes(emu)) == 1  # the cached token still serves
    third = make_adapter(refresh_token="50001reconnected-elsewhere")  # a grant the cache never saw
    with pytest.raises(AuthError, match="IllegalRefreshToken"):
        third.fetch_returns(None)


@pytest.fixture
def web(merchant_web):
    return merchant_web


def stored(hub, cid):
    from hub.db import Connection
    with hub.session() as s:
        return hub.box.open(s.get(Connection, cid).marketplace_settings)


def test_code_for_token_from_the_connection_page(hub, web, connection, emu, state):
    cid = connection(refresh_token=None)
    page = web.get(f"/connections/{cid}").get_data(as_text=True)
    assert f'href="/plugins/miravia/connect/{cid}"' in page and "Connect Miravia account" in page
    start = web.get(f"/plugins/miravia/connect/{cid}")
    assert start.status_code == 302
    authorize = urlsplit(start.headers["Location"])
    query = parse_qs(authorize.query)
    assert authorize.path == "/apps/oauth/authorize" and query["client_id"] == ["500404"]
    assert query["response_type"] == ["code"] and query["redirect_uri"][0].endswith("/plugins/miravia/callback")
    back = httpx.get(start.headers["Location"])  # the seller logs in at Miravia and agrees
    callback = urlsplit(back.headers["Location"])
    done = web.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/connections/{cid}")
    token = stored(hub, cid)["refresh_token"]
    assert token in state.refresh_tokens
    assert token not in web.get(f"/connections/{cid}").get_data(as_text=True)  # a secret, never shown back
    assert web.get(f"{callback.path}?{callback.query}").status_code == 400  # the state is used up


def test_a_forged_state_is_refused(hub, web, connection):
    connection(refresh_token=None)
    assert web.get("/plugins/miravia/callback?code=0_1_x&state=forged").status_code == 400


def test_another_merchants_connection_is_not_found(hub, web, connection):
    from hub.testing.connections import create_connection
    other = create_connection(hub, marketplace="miravia", shop="fakeshop", merchant="Merchant B",
                              marketplace_settings={"app_key": "x", "app_secret": "y"},
                              shop_settings={"base_url": "http://127.0.0.1:1", "token": "t", "webhook_secret": "w"})
    assert web.get(f"/plugins/miravia/connect/{other}").status_code == 404
