"""Fixtures: the multi-operator Mirakl emulator on loopback, the core's fake shop, and connections between
them stored as the web form stores them (the core's fixtures: real Redis, SQLite and PostgreSQL when set)."""
from __future__ import annotations

import pytest
from returnhub_mirakl.emulator import MiraklState, create_app, emulator_settings

from hub.testing import EmulatorServer
from hub.testing.plugin_helpers import EmulatorHandle
from hub.testing.services import TestDatabase

pytest_plugins = ["hub.testing.fixtures"]

OPERATORS = ("mediamarkt", "leroy_merlin", "decathlon")


_SQLITE: list[TestDatabase] = []


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: none of these tests is about the database (the core's suite covers PostgreSQL), and the
    plugin's suite stays within a minute. The whole suite also passes on PostgreSQL (the core's fixture)."""
    if not _SQLITE:
        _SQLITE.append(TestDatabase("sqlite"))
    return _SQLITE[0].fresh_url(str(tmp_path))


@pytest.fixture
def hub_plugins():
    return ["mirakl", "fakeshop"]


@pytest.fixture
def mirakl():
    """The emulator serving three operators; ``.state`` is its MiraklState, ``.ledger`` every request."""
    state = MiraklState(OPERATORS)
    handle = EmulatorHandle(EmulatorServer(create_app(state=state)).start())
    handle.state = state
    yield handle
    handle.close()


@pytest.fixture
def shop_emu():
    """The core's fake shop (package returnhub_fakeshop, from the core's test plugins)."""
    emulator = pytest.importorskip(
        "returnhub_fakeshop.emulator",
        reason="full-flow tests need the core's test plugins: "
               "pip install -e tests/fixture_plugins/returnhub-testplugins")
    with EmulatorServer(emulator.create_app()) as server:
        server.module = emulator
        yield server


@pytest.fixture
def connect(hub, mirakl, shop_emu):
    """``connect(operator, **settings)``: a connection from that operator's base path to the fake shop; its id."""
    from hub.testing.connections import create_connection

    def make(operator: str = "mediamarkt", **overrides) -> int:
        return create_connection(
            hub, marketplace="mirakl", shop="fakeshop", name=f"{operator} → Fake Shop",
            marketplace_settings={**emulator_settings(mirakl.url, operator), **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make


@pytest.fixture
def seed(mirakl, shop_emu):
    """``seed(operator, count, **kw)``: returns at the operator, their orders in the fake shop."""
    def make(operator: str = "mediamarkt", count: int = 1, **kw) -> list[dict]:
        made = mirakl.state.seed(operator, count, **kw)
        shop_emu.module.seed_orders(shop_emu.app, [{"order_id": r["order_id"]} for r in made])
        return made
    return make


@pytest.fixture
def decide(hub, shop_emu):
    """``decide(external_id, {order_line_id: (decision, units)})``: the merchant decides in the fake shop."""
    from hub.testing.flow import decide_in_fake_shop
    return lambda external_id, lines: decide_in_fake_shop(hub, shop_emu.url, external_id, lines)
