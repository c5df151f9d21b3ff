"""Fixtures: the SOAP emulator on loopback, adapters built as the core builds them, returns."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from returnhub_magento1.adapter import Magento1Shop
from returnhub_magento1.emulator import create_app, emulator_settings

from hub.model import load_return
from hub.testing import EmulatorServer
from hub.testing.plugin_helpers import EmulatorHandle

pytest_plugins = ["hub.testing"]


@pytest.fixture
def hub_plugins():
    """The plugins the core's Hub loads in the full-flow tests: the core's test marketplace and Magento 1."""
    return ["fakemarket", "magento1"]


class FastServer(EmulatorServer):
    """An EmulatorServer polling for shutdown every 20 ms (werkzeug's 0.5 s slows every teardown)."""

    def __init__(self, app):
        super().__init__(app)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)


@pytest.fixture
def store():
    """A running emulated store: ``url``, ``store`` (its data), ``ledger``."""
    handle = EmulatorHandle(FastServer(create_app()).start())
    handle.store = handle.app.config["STORE"]
    yield handle
    handle.close()


@pytest.fixture
def make_shop(store, adapter_factory):
    """``make_shop(**setting overrides)``: the adapter against the emulator, through the core's client."""
    def make(memo=None, **overrides):
        return adapter_factory(Magento1Shop, {**emulator_settings(store.url), **overrides},
                               **({"memo": memo} if memo is not None else {}))
    return make


_ids = iter(range(1, 10**6))


def make_return(order_id: str = "100000101", lines: list[dict] | None = None, **extra):
    """A canonical return as the core hands it to a shop adapter."""
    lines = lines or [{"external_line_id": "L1", "quantity": 1, "sku": "TSHIRT-BLK-M", "reason_code": "TOO_SMALL",
                       "reason_text": "Too small"}]
    num = next(_ids)
    ret = load_return({"external_id": f"R{num}", "marketplace_order_id": order_id, "lines": lines,
                       "requested_at": datetime(2026, 11, 20, 12, tzinfo=UTC),
                       "customer": {"name": "Sanne de Vries", "email": "sanne@example.com"}, **extra})
    ret.id, ret.connection_id = num, 1
    return ret
