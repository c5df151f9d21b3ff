"""Fixtures: a live Kaufland emulator on loopback, adapters built as the core builds them, and a connection
from Kaufland to the core's fake shop for full-flow tests (the core's fixtures: real Redis, SQLite, and
PostgreSQL when configured)."""
from __future__ import annotations

import pytest
from returnhub_kaufland.adapter import KauflandMarketplace
from returnhub_kaufland.emulator import KauflandState, create_app, emulator_settings

from hub.testing.emulator import EmulatorServer

pytest_plugins = ["hub.testing"]


@pytest.fixture
def state():
    return KauflandState()


@pytest.fixture
def emu(serve_emulator, state):
    """The running emulator (``emu.url``, ``emu.hook(path, body)``, ``emu.ledger``, ``emu.faults``)."""
    return serve_emulator(create_app(state=state))


@pytest.fixture
def settings(emu):
    return emulator_settings(emu.url)


@pytest.fixture
def make_adapter(adapter_factory, settings):
    """``make_adapter(**overrides)``: a KauflandMarketplace against the emulator through the core's client."""
    return lambda memo=None, **overrides: adapter_factory(KauflandMarketplace, {**settings, **overrides}, memo=memo)


@pytest.fixture
def hub_plugins():
    return ["kaufland", "fakeshop"]


@pytest.fixture
def shop_emu():
    """The core's fake shop (from the core's test plugins), finding every order."""
    emulator = pytest.importorskip(
        "returnhub_fakeshop.emulator",
        reason="full-flow tests need the core's test plugins (tests/fixture_plugins/returnhub-testplugins)")
    with EmulatorServer(emulator.create_app(auto_orders=True)) as server:
        yield server


@pytest.fixture
def connection(hub, settings, shop_emu):
    """``connection(**overrides)``: a merchant's Kaufland → fake shop connection; its id."""
    from hub.testing.connections import create_connection

    def make(**overrides) -> int:
        return create_connection(
            hub, marketplace="kaufland", shop="fakeshop", name="Kaufland → Fake Shop",
            marketplace_settings={**settings, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make
