"""Core test fixtures: the fake marketplace and shop, their emulators and connections (flaskr style)."""
from __future__ import annotations

import pytest

from hub.testing.connections import create_connection
from hub.testing.emulator import EmulatorServer

pytest_plugins = ["hub.testing.fixtures", "hub.testing.kit.plugin"]
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
    def make(marketplace="fakemarket", enabled=True, merchant="Merchant A", name=None):
        return create_connection(
            hub, marketplace=marketplace, shop="fakeshop", merchant=merchant, enabled=enabled,
            name=name or f"{marketplace} → fakeshop",
            marketplace_settings={"base_url": market_emu.url, "api_key": "market-secret-key"},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make
