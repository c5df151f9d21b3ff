"""Fixtures: the Lightspeed eCom emulator on loopback and adapters built as the core builds them (hub.testing)."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from returnhub_lightspeed.adapter import LightspeedShop
from returnhub_lightspeed.emulator import create_app, emulator_settings

from hub.model import load_return

pytest_plugins = ["hub.testing"]


@pytest.fixture
def hub_plugins():
    """The plugins the core's Hub loads in the full-flow tests: the core's test marketplace and Lightspeed."""
    return ["fakemarket", "lightspeed"]


class Emulator:
    """The running emulator (a hub.testing EmulatorHandle) with the merchant's hooks and ledger views."""

    def __init__(self, handle):
        self.handle, self.url, self.app = handle, handle.url, handle.app
        self.shop = handle.app.config["SHOP"]

    def order(self, value: str, where: str = "memo", lines=None) -> dict:
        return self.handle.hook("/orders", {"value": value, "where": where,
                                            "lines": lines or [{"sku": "SKU-1", "quantity": 1}]})

    def status(self, order_id, status: int) -> dict:
        return self.handle.hook(f"/orders/{order_id}/status", {"customStatusId": status})

    def add_return(self, order_id, status: str) -> dict:
        return self.handle.hook(f"/orders/{order_id}/returns", {"status": status})

    def requests(self) -> list[dict]:
        return self.handle.hook("/requests")["requests"]

    def sent(self, method: str | None = None) -> list[str]:
        return [f"{e['method']} {e['path']}" for e in self.requests() if method in (None, e["method"])]


@pytest.fixture
def emulator(serve_emulator):
    return Emulator(serve_emulator(create_app()))


@pytest.fixture
def make_shop(emulator, adapter_factory):
    """Build the adapter as the core does, with settings overrides; closed at teardown."""

    def build(**overrides):
        return adapter_factory(LightspeedShop, {**emulator_settings(emulator.url), **overrides}, memo={})
    return build


_ids = itertools.count(1)


def make_return(order_id="MO1", lines=None, shop_order_id=None):
    """A canonical return as the core hands it to a shop adapter (validated by the core's schema)."""
    lines = lines or [{"external_line_id": "L1", "quantity": 1, "sku": "SKU-1", "reason_code": "DEFECTIVE"}]
    num = next(_ids)
    ret = load_return({"external_id": f"R{num}", "marketplace_order_id": order_id, "lines": lines,
                       "requested_at": datetime(2026, 11, 1, 12, tzinfo=UTC)})
    ret.id, ret.connection_id, ret.shop_order_id = num, 1, shop_order_id
    return ret
