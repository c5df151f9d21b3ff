"""Fixtures: the emulator on loopback (either edition), adapters built as the core builds them, returns."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from returnhub_magento2.adapter import Magento2Shop
from returnhub_magento2.emulator import create_app, emulator_settings

from hub.model import load_return
from hub.testing import EmulatorServer
from hub.testing.plugin_helpers import EmulatorHandle

pytest_plugins = ["hub.testing"]


@pytest.fixture
def hub_plugins():
    """The plugins the core's Hub loads in the full-flow tests: the core's test marketplace and Magento 2."""
    return ["fakemarket", "magento2"]


@pytest.fixture(params=["commerce"])
def edition(request):
    return request.param


@pytest.fixture
def store(edition):
    """A running emulated store: ``url``, ``store`` (its data), ``hook(path, body)``, ``ledger``."""
    handle = EmulatorHandle(EmulatorServer(create_app(edition=edition)).start())
    handle.store = handle.app.config["STORE"]
    yield handle
    handle.close()


@pytest.fixture
def make_shop(store, adapter_factory):
    """``make_shop(**setting overrides)``: the adapter against the emulator, through the core's client."""
    def make(memo=None, **overrides):
        return adapter_factory(Magento2Shop, {**emulator_settings(store.url), **overrides},
                               **({"memo": memo} if memo is not None else {}))
    return make


_ids = iter(range(1, 10**6))


def make_return(order_id: str = "000000101", lines: list[dict] | None = None, **extra):
    """A canonical return as the core hands it to a shop adapter."""
    lines = lines or [{"external_line_id": "L1", "quantity": 1, "sku": "TSHIRT-BLK-M", "reason_code": "TOO_SMALL",
                       "reason_text": "Too small", "customer_comment": "Fits like a glove for a child"}]
    num = next(_ids)
    ret = load_return({"external_id": f"R{num}", "marketplace_order_id": order_id, "lines": lines,
                       "requested_at": datetime(2026, 11, 20, 12, tzinfo=UTC),
                       "customer": {"name": "Sanne de Vries", "email": "sanne@example.com",
                                    "address": {"street": "Kerkstraat", "house_number": "12", "postal_code": "1017 GC",
                                                "city": "Amsterdam", "country_code": "NL"}}, **extra})
    ret.id, ret.connection_id = num, 1
    return ret


@pytest.fixture
def new_return():
    return make_return
