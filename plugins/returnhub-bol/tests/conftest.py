"""Fixtures on hub.testing: a live bol emulator on loopback, adapters built as the core builds them, a
connection from bol to the core's fake shop for full-flow tests, and bol's API descriptions
(RETURNHUB_SPECS_DIR) with a recorder of the adapter's traffic to hold to them."""
from __future__ import annotations

import pytest
from returnhub_bol.adapter import BolMarketplace
from returnhub_bol.settings import BolSettings

from hub import clock
from hub.adapters import AdapterContext
from hub.manifest import load_manifest

pytest_plugins = ["hub.testing"]
FAST = {"process_status_interval": 0.02, "process_status_timeout": 5}


def emulator_settings(url: str) -> dict:
    """The emulator's settings (imported late: the emulator imports hub.testing, which pytest loads first)."""
    from returnhub_bol.emulator import emulator_settings as settings
    return settings(url)


@pytest.fixture
def emu(serve_emulator):
    """The bol emulator (fast processing) on loopback; ``emu.state`` is its BolState, ``emu.emulation``
    the toolkit (``ledger``, ``faults``, ``limit``, ``tokens``, ``token_endpoint``)."""
    from returnhub_bol.emulator import BolState, create_app
    state = BolState()
    state.process_delay = 0.05
    handle = serve_emulator(create_app(state=state))
    handle.state, handle.seed = state, state.seed
    return handle


@pytest.fixture
def puts(emu):
    """``puts()``: the PUTs bol accepted (202), as ``(rmaId, handlingResult, quantityReturned)``."""
    return lambda: [(e.path.rsplit("/", 1)[1], e.body["handlingResult"], e.body["quantityReturned"])
                    for e in emu.ledger.find("PUT") if e.status == 202]


@pytest.fixture
def make_adapter(emu, adapter_factory):
    """``make_adapter(retries=3, **settings)``: a BolMarketplace against the emulator, as the core builds it."""
    return lambda retries=3, **over: adapter_factory(BolMarketplace, {**emulator_settings(emu.url), **FAST, **over},
                                                     retries=retries)


@pytest.fixture
def hub_plugins():
    """The plugins the test Hub loads: this one and the core's fake shop."""
    return ["bol", "fakeshop"]


@pytest.fixture
def shop_emu(serve_emulator):
    """The core's fake shop (package returnhub_fakeshop, from the core's test plugins)."""
    emulator = pytest.importorskip(
        "returnhub_fakeshop.emulator",
        reason="full-flow tests need the core's test plugins: "
               "pip install -e tests/fixture_plugins/returnhub-testplugins")
    handle = serve_emulator(emulator.create_app())
    handle.state = handle.app.config["EMULATOR"]
    return handle


@pytest.fixture
def bol_connection(hub, emu, shop_emu):
    """``bol_connection(**settings)``: a merchant's connection from the bol emulator to the fake shop, settings
    sealed as the web form stores them. Gives the connection id."""
    from hub.testing.connections import create_connection

    def make(**overrides) -> int:
        return create_connection(
            hub, marketplace="bol", shop="fakeshop", name="bol.com → Fake Shop",
            marketplace_settings={**emulator_settings(emu.url), **FAST, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make


@pytest.fixture(scope="session")
def spec():
    """bol's two OpenAPI documents as the kit compiles them; skipped when RETURNHUB_SPECS_DIR lacks them."""
    from hub.testing.kit.specs import description_check
    check = description_check(load_manifest("returnhub_bol").api_descriptions, "returnhub_bol")
    if check.missing:
        pytest.skip("; ".join(m.reason for m in check.missing))
    return check


@pytest.fixture
def traffic():
    from hub.testing.kit.specs import TrafficRecorder
    return TrafficRecorder()


@pytest.fixture
def recording_adapter(emu, traffic):
    """``recording_adapter(**settings)``: an adapter whose every exchange with the emulator lands in ``traffic``."""
    from hub.testing.kit.specs import RecordingClientFactory
    made = []

    def make(**overrides) -> BolMarketplace:
        factory = RecordingClientFactory(recorder=traffic, allow_local=["127.0.0.1"], retries=3, backoff_base=0.01)
        factory.sleep = clock.sleep
        settings = BolSettings().load({**emulator_settings(emu.url), **FAST, **overrides})
        made.append(BolMarketplace(AdapterContext(settings=settings, connection_id=1, http_factory=factory)))
        return made[-1]

    yield make
    for adapter in made:
        adapter.close()
