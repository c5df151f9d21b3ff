"""Fixtures: a live Allegro emulator on loopback, adapters built as the core builds them, and a connection
from Allegro to the core's fake shop for full-flow tests (the core's fixtures: real Redis, SQLite)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from returnhub_allegro.adapter import AllegroMarketplace
from returnhub_allegro.emulator import create_app, emulator_settings
from returnhub_allegro.emulator_data import AllegroState

from hub.sdk.oauth import forget_tokens
from hub.testing.emulator import EmulatorServer

pytest_plugins = ["hub.testing"]


@pytest.fixture(autouse=True)
def _fresh_tokens():
    """No Allegro token cached by an earlier test (the SDK's cache is per process)."""
    forget_tokens()
    yield
    forget_tokens()


@pytest.fixture
def state():
    return AllegroState()


class _Switch:
    """Forwards to the test's own emulator app: one server for the session, a fresh emulator per test."""

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
    """The running emulator (``emu.url``, ``emu.hook(path, body)``, ``emu.ledger``, ``emu.faults``, ``emu.auth``)."""
    from hub.testing.plugin_helpers import EmulatorHandle
    server, switch = _server
    switch.app = create_app(state=state)
    handle = EmulatorHandle(SimpleNamespace(app=switch.app, url=server.url, stop=lambda: None))
    handle.auth = switch.app.extensions["allegro_auth"]
    yield handle
    handle.close()


@pytest.fixture
def settings(emu):
    return emulator_settings(emu.url)


@pytest.fixture
def make_adapter(adapter_factory, settings):
    """``make_adapter(**overrides)``: an AllegroMarketplace against the emulator through the core's client."""
    return lambda memo=None, **overrides: adapter_factory(AllegroMarketplace, {**settings, **overrides}, memo=memo)


@pytest.fixture
def hub_plugins():
    return ["allegro", "fakeshop"]


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
    """``connection(**overrides)``: a merchant's Allegro → fake shop connection; its id."""
    from hub.testing.connections import create_connection

    def make(**overrides) -> int:
        return create_connection(
            hub, marketplace="allegro", shop="fakeshop", name="Allegro → Fake Shop",
            marketplace_settings={**settings, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make
