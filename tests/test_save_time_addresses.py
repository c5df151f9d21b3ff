"""URL settings are checked by the address guard when saved, in the UI and the API, with the message
Test connection gives; the allow-list for local emulators keeps working."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from test_api_support import (  # noqa: F401  (fixtures)
    api_app,
    api_client,
    api_hub_plugins,
    assert_problem,
    bearer,
)
from test_web import post, signed_in
from test_web_connections import _form

from hub.app import create_app
from hub.db import Connection

REFUSED = ["http://10.0.0.5", "http://169.254.169.254/latest/meta-data", "http://127.0.0.2:8080",
           "http://[::1]/", "http://0x7f000001/", "http://192.168.1.1", "ftp://example.com/"]


@pytest.mark.parametrize("url", REFUSED)
def test_ui_refuses_a_private_store_url_on_save(hub, market_emu, shop_emu, url):
    client = signed_in(create_app(hub=hub), hub)
    response = post(client, "/connections/new", _form(market_emu, shop_emu, **{"s-base_url": url}))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "This address is not allowed" in body, body[-2000:]
    with hub.session() as s:
        assert s.scalar(select(Connection)) is None, "nothing saved"
    # the local emulator on the allow-listed 127.0.0.1 is accepted
    assert post(client, "/connections/new", _form(market_emu, shop_emu)).status_code == 302


def test_ui_refuses_it_when_editing_too(hub, make_connection, market_emu, shop_emu):
    cid = make_connection(merchant="Merchant A")
    client = signed_in(create_app(hub=hub), hub)
    response = post(client, f"/connections/{cid}", _form(market_emu, shop_emu, **{"m-base_url": "http://10.1.2.3"}),
                    page=f"/connections/{cid}")
    assert response.status_code == 400 and "This address is not allowed" in response.get_data(as_text=True)
    with hub.session() as s:
        assert s.get(Connection, cid).marketplace_settings["base_url"] == market_emu.url


def test_api_refuses_private_urls_on_create_and_update(hub, client, market_emu):
    headers = bearer(hub)
    for url in ("http://169.254.169.254", "http://10.0.0.5"):
        body = assert_problem(client.post("/api/v1/connections", headers=headers, json={
            "name": "x", "marketplace": "fakemarket", "shop": "api",
            "marketplace_settings": {"base_url": url, "api_key": "k"}}), 422)
        assert body["errors"]["marketplace_settings.base_url"][0].startswith("This address is not allowed"), body
    created = client.post("/api/v1/connections", headers=headers, json={
        "name": "ok", "marketplace": "fakemarket", "shop": "api",
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "k"}})
    assert created.status_code == 201, created.get_json()
    cid = created.get_json()["id"]
    body = assert_problem(client.patch(f"/api/v1/connections/{cid}", headers=headers, json={
        "marketplace_settings": {"base_url": "http://192.168.0.10"}}), 422)
    assert "This address is not allowed" in str(body["errors"])
    with hub.session() as s:
        assert s.get(Connection, cid).marketplace_settings["base_url"] == market_emu.url
