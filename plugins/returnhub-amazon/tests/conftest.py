"""Fixtures: a live Amazon emulator on loopback, adapters wired through the core's HTTP factory,
the core's Hub fixtures with the test shop for full-flow tests, and the official Reports API model
(RETURNHUB_SPECS_DIR) to check the recorded traffic against."""
from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from returnhub_amazon.adapter import AmazonMarketplace
from returnhub_amazon.emulator import create_app
from returnhub_amazon.plugin import emulator_settings

from hub.adapters import AdapterContext
from hub.http import ClientFactory
from hub.testing import EmulatorServer

pytest_plugins = ["hub.testing.fixtures"]

FAST = {"report_poll_initial_seconds": 0.01, "report_poll_max_seconds": 0.05, "report_poll_budget_seconds": 5}


class Emu:
    """A running emulator: its URL and shortcuts to its test hooks."""

    def __init__(self, server: EmulatorServer):
        self.server, self.url = server, server.url
        self.app = server.app
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def hook(self, path: str, body=None):
        resp = self.http.post(f"/_emulator/{path}", json=body) if body is not None \
            else self.http.get(f"/_emulator/{path}")
        resp.raise_for_status()
        return resp.json()

    def add(self, mfn=(), fba=()):
        return self.hook("returns", {"mfn": list(mfn), "fba": list(fba)})

    def fault(self, operation: str, kind: str, count: int = 1, reason: str | None = None,
              report_type: str | None = None):
        return self.hook("faults", {"operation": operation, "kind": kind, "count": count, "reason": reason,
                                    "reportType": report_type})

    def ledger(self) -> list[dict]:
        return self.hook("ledger")

    def calls(self, operation: str) -> list[dict]:
        return [e for e in self.ledger() if e["operation"] == operation]


@pytest.fixture
def emu():
    with EmulatorServer(create_app()) as server:
        e = Emu(server)
        e.hook("config", {"polls_to_finish": 2})
        yield e
        e.http.close()


@pytest.fixture
def make_adapter(emu):
    """An AmazonMarketplace against the emulator; keywords override settings; ``memo`` can be shared."""
    adapters = []

    def make(memo: dict | None = None, **overrides) -> AmazonMarketplace:
        settings = {**emulator_settings(emu.url), **FAST, **overrides}
        factory = ClientFactory(allow_local=["127.0.0.1"], backoff_base=0.01, backoff_max=0.05)
        ctx = AdapterContext(settings=settings, connection_id=1, http_factory=factory)
        if memo is not None:
            ctx.memo = memo
        adapter = AmazonMarketplace(ctx)
        adapters.append(adapter)
        return adapter

    yield make
    for adapter in adapters:
        adapter.close()


def _fetch_all(adapter, cursor=None, limit: int = 10):
    """fetch_returns until ``more`` is false, as the core does; (items, last cursor, pages)."""
    items, pages = [], 0
    while True:
        page = adapter.fetch_returns(cursor)
        items += page.items
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            return items, cursor, pages
        assert pages < limit, "fetch_returns keeps asking for more"


@pytest.fixture
def fetch_all():
    """Page through fetch_returns on a bare adapter (the core's ``drain`` runs queued jobs)."""
    return _fetch_all


# --- the core's Hub with the Amazon plugin and the core's test shop ---------------------------

@pytest.fixture
def hub_plugins():
    return ["amazon", "fakeshop"]


@pytest.fixture
def shop_emu():
    from returnhub_fakeshop.emulator import create_app as create_shop_app

    with EmulatorServer(create_shop_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


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
