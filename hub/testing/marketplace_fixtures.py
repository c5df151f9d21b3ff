"""Fixtures a marketplace plugin's tests share: its emulator on loopback (one server a session, a fresh
emulator app per test), adapters built as the core builds them, and a connection to the core's fake shop.

Opt in with ``pytest_plugins = ["hub.testing", "hub.testing.marketplace_fixtures"]`` and give two fixtures in
the plugin's conftest: ``state`` (the emulator's state object) and ``marketplace_under_test``
(a :class:`MarketplaceUnderTest`); also ``hub_plugins`` (``[slug, "fakeshop"]``) for full-flow tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from hub.testing.emulator import EmulatorServer


@dataclass(frozen=True)
class MarketplaceUnderTest:
    """The plugin under test: its adapter class, ``create_app(state=…)``, ``settings(url)`` and shown name."""

    adapter: type
    create_app: Callable
    settings: Callable[[str], dict]
    name: str


class _Switch:
    """A WSGI app that forwards to the test's own emulator app: one server for the session (stopping a
    server costs time), a fresh emulator per test."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _emulator_server():
    switch = _Switch()
    with EmulatorServer(switch) as server:
        yield server, switch


@pytest.fixture
def emu(_emulator_server, state, marketplace_under_test):
    """The running emulator (``emu.url``, ``emu.hook(path, body)``, ``emu.ledger``, ``emu.faults``)."""
    from hub.testing.plugin_helpers import EmulatorHandle
    server, switch = _emulator_server
    switch.app = marketplace_under_test.create_app(state=state)
    handle = EmulatorHandle(SimpleNamespace(app=switch.app, url=server.url, stop=lambda: None))
    yield handle
    handle.close()


@pytest.fixture
def settings(emu, marketplace_under_test):
    return marketplace_under_test.settings(emu.url)


@pytest.fixture
def make_adapter(adapter_factory, settings, marketplace_under_test):
    """``make_adapter(**overrides)``: the plugin's adapter against the emulator through the core's client."""
    cls = marketplace_under_test.adapter
    return lambda memo=None, **overrides: adapter_factory(cls, {**settings, **overrides}, memo=memo)


@pytest.fixture
def shop_emu():
    """The core's fake shop (from the core's test plugins), finding every order."""
    emulator = pytest.importorskip(
        "returnhub_fakeshop.emulator",
        reason="full-flow tests need the core's test plugins (tests/fixture_plugins/returnhub-testplugins)")
    with EmulatorServer(emulator.create_app(auto_orders=True)) as server:
        yield server


@pytest.fixture
def connection(hub, settings, shop_emu, marketplace_under_test):
    """``connection(**overrides)``: a merchant's connection from the plugin to the fake shop; its id."""
    from hub.testing.connections import create_connection
    plugin = marketplace_under_test

    def make(**overrides) -> int:
        return create_connection(
            hub, marketplace=plugin.adapter.slug, shop="fakeshop", name=f"{plugin.name} → Fake Shop",
            marketplace_settings={**settings, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make


@pytest.fixture
def merchant_web(hub):
    """A test client of the web app signed in as the merchant the ``connection`` fixture's connections belong to
    ("Merchant A"), for a plugin's own pages (an account-connect flow)."""
    from hub.accounts import create_user
    from hub.app import create_app
    from hub.testing.kit.base import login
    create_user(hub, email="seller@example.com", password="a good password 1", merchant_name="Merchant A")
    client = create_app(hub=hub).test_client()
    login(client, "seller@example.com", "a good password 1")
    return client
