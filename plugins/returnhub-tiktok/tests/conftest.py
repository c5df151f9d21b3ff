"""Fixtures: a live TikTok Shop emulator on loopback, adapters built as the core builds them, and a connection
from TikTok Shop to the core's fake shop for full-flow tests (the core's fixtures: real Redis, SQLite, and
PostgreSQL when configured)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from returnhub_tiktok.adapter import TikTokMarketplace
from returnhub_tiktok.emulator import TikTokState, create_app, emulator_settings

from hub.testing.emulator import EmulatorServer

pytest_plugins = ["hub.testing"]


@pytest.fixture
def state():
    return TikTokState()


class _Switch:
    """A WSGI app that forwards to the test's own emulator app: one server for the session (stopping a
    server costs half a second), a fresh emulator per test."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _server():
    switch = _Switch()
    with EmulatorServer(switch) as server:
        yield server, switch


@pytest.fixture
def emu(_server, state):
    """The running emulator (``emu.url``, ``emu.hook(path, body)``, ``emu.ledger``, ``emu.faults``)."""
    from hub.testing.plugin_helpers import EmulatorHandle
    server, switch = _server
    switch.app = create_app(state=state)
    handle = EmulatorHandle(SimpleNamespace(app=switch.app, url=server.url, stop=lambda: None))
    yield handle
    handle.close()


@pytest.fixture
def settings(emu):
    return emulator_settings(emu.url)


@pytest.fixture
def make_adapter(adapter_factory, settings):
    """``make_adapter(**overrides)``: a TikTokMarketplace against the emulator through the core's client."""
    return lambda memo=None, **overrides: adapter_factory(TikTokMarketplace, {**settings, **overrides}, memo=memo)


@pytest.fixture
def hub_plugins():
    return ["tiktok", "fakeshop"]


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
    """``connection(**overrides)``: a merchant's TikTok Shop → fake shop connection; its id."""
    from hub.testing.connections import create_connection

    def make(**overrides) -> int:
        return create_connection(
            hub, marketplace="tiktok", shop="fakeshop", name="TikTok Shop → Fake Shop",
            marketplace_settings={**settings, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make
