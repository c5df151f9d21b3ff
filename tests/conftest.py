"""Core test fixtures: the fake marketplace and shop, their emulators and connections (flaskr style)."""
from __future__ import annotations

import secrets

import pytest

from hub.db import Connection, Merchant
from hub.testing.emulator import EmulatorServer

pytest_plugins = ["hub.testing.fixtures"]
TEST_PLUGINS = ["fakemarket", "fakeinfo", "fakeshop"]


@pytest.fixture
def hub_plugins():
    return TEST_PLUGINS


@pytest.fixture
def market_emu():
    from returnhub_fakemarket.emulator import create_app
    with EmulatorServer(create_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def shop_emu():
    from returnhub_fakeshop.emulator import create_app
    with EmulatorServer(create_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def make_connection(hub, market_emu, shop_emu):
    """Create a merchant's connection between the fake marketplace and the fake shop (returns on)."""
    from hub.connections import settings_for_storage

    def make(marketplace="fakemarket", enabled=True, merchant="Merchant A", name=None):
        with hub.session() as s:
            m = s.query(Merchant).filter_by(name=merchant).one_or_none()
            if m is None:
                m = Merchant(name=merchant)
                s.add(m)
                s.flush()
            conn = Connection(
                merchant_id=m.id, name=name or f"{marketplace} → fakeshop", marketplace=marketplace, shop="fakeshop",
                marketplace_settings=settings_for_storage(hub, hub.registry.marketplace(marketplace), {
                    "base_url": market_emu.url, "api_key": "market-secret-key"}),
                shop_settings=settings_for_storage(hub, hub.registry.shop("fakeshop"), {
                    "base_url": shop_emu.url, "token": "shop-secret-token", "webhook_secret": "shop-webhook-secret"}),
                returns_enabled=enabled, webhook_token=secrets.token_urlsafe(16))
            s.add(conn)
            s.flush()
            return conn.id
    return make
