"""Fixtures: the Amazon emulator on loopback and adapters built as the core builds them (hub.testing's
serve_emulator and adapter_factory), the core's Hub with its test shop for full-flow tests, and Amazon's
Reports API model (RETURNHUB_SPECS_DIR)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from returnhub_amazon.adapter import AmazonMarketplace
from returnhub_amazon.emulator import create_app
from returnhub_amazon.plugin import emulator_settings

pytest_plugins = ["hub.testing"]

FAST = {"report_poll_initial_seconds": 0.01, "report_poll_max_seconds": 0.05, "report_poll_budget_seconds": 5}
# (operation, method, path pattern) of every call the emulator answers; "download" is the pre-signed URL.
OPERATIONS = [("lwaToken", "POST", r"/auth/o2/token"), ("createReport", "POST", r"/reports/2021-06-30/reports"),
              ("getReports", "GET", r"/reports/2021-06-30/reports"),
              ("getReport", "GET", r"/reports/2021-06-30/reports/[^/]+"),
              ("getReportDocument", "GET", r"/reports/2021-06-30/documents/[^/]+"),
              ("download", "GET", r"/_storage/[^/]+"),
              ("createRestrictedDataToken", "POST", r"/tokens/2021-03-01/restrictedDataToken"),
              ("getOrderAddress", "GET", r"/orders/v0/orders/[^/]+/address"),
              ("getOrderBuyerInfo", "GET", r"/orders/v0/orders/[^/]+/buyerInfo")]


def operation(entry) -> str | None:
    """The SP-API operation name of a ledger entry."""
    return next((name for name, method, path in OPERATIONS
                 if entry.method == method and re.fullmatch(path, entry.path)), None)


class Emu:
    """The running emulator (a hub.testing EmulatorHandle) with its state and the ledger by operation."""

    def __init__(self, handle):
        self.handle, self.url, self.app = handle, handle.url, handle.app
        self.state = handle.app.extensions["amazon_emulator"]
        self.add, self.fault, self.faults = self.state.add, self.state.arm, handle.faults

    def ledger(self) -> list:
        return list(self.handle.ledger.entries)

    def calls(self, name: str) -> list:
        return [e for e in self.ledger() if operation(e) == name]

    def report_id(self, n: int = 0) -> str:
        """The id of the n-th report created."""
        return [c for c in self.calls("createReport") if c.status == 202][n].response["reportId"]


@pytest.fixture
def emu(serve_emulator):
    e = Emu(serve_emulator(create_app()))
    e.state.config["polls_to_finish"] = 2
    return e


@pytest.fixture
def make_adapter(emu, adapter_factory):
    """An AmazonMarketplace against the emulator; keywords override settings."""
    def make(connection_id: int = 1, **overrides) -> AmazonMarketplace:
        settings = {**emulator_settings(emu.url), **FAST, **overrides}
        return adapter_factory(AmazonMarketplace, settings, connection_id=connection_id)
    return make


@pytest.fixture
def fetch_all():
    """Page through fetch_returns until ``more`` is false, as the core does; (items, last cursor, pages)."""
    def fetch(adapter, cursor=None, limit: int = 10):
        items = []
        for pages in range(1, limit + 1):
            page = adapter.fetch_returns(cursor)
            items, cursor = items + page.items, page.cursor
            if not page.more:
                return items, cursor, pages
        raise AssertionError("fetch_returns keeps asking for more")
    return fetch


# --- the core's Hub with the Amazon plugin and the core's test shop ---------------------------

@pytest.fixture
def hub_plugins():
    return ["amazon", "fakeshop"]


@pytest.fixture
def shop_emu(serve_emulator):
    from returnhub_fakeshop.emulator import create_app as create_shop_app

    handle = serve_emulator(create_shop_app())
    handle.state = handle.app.config["EMULATOR"]
    return handle


@pytest.fixture
def make_connection(hub, emu, shop_emu):
    """A merchant's Amazon → fake shop connection (returns on), settings sealed as the UI stores them;
    keywords override Amazon settings. Gives the connection id."""
    from hub.testing.connections import create_connection

    def make(merchant: str = "Merchant A", **overrides) -> int:
        return create_connection(
            hub, marketplace="amazon", shop="fakeshop", merchant=merchant, name="Amazon → fakeshop",
            marketplace_settings={**emulator_settings(emu.url), **FAST, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make


@pytest.fixture(scope="session")
def reports_spec() -> dict:
    folder = os.environ.get("RETURNHUB_SPECS_DIR")
    if not folder:
        pytest.skip("RETURNHUB_SPECS_DIR is not set: cannot check against Amazon's Reports API model")
    path = Path(folder) / "marketplaces" / "amazon" / "reports_2021-06-30.json"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return json.loads(path.read_text(encoding="utf-8"))
