"""``returnhub demo`` with Walmart: seeded return orders, the orders behind them in the demo shop, and the
returns reaching that shop through the core."""
from __future__ import annotations

import pytest
from returnhub_walmart.emulator import create_app, demo_orders
from returnhub_walmart.mapping import units
from returnhub_walmart.settings import WalmartSettings

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_realistic_return_orders():
    state = create_app(demo=True).extensions["walmart"]
    returns = list(state.returns.values())
    assert len(returns) == 12
    assert any(len(r["returnOrderLines"]) > 1 for r in returns)
    assert {line["status"] for r in returns for line in r["returnOrderLines"]} == {"INITIATED", "DELIVERED"}


def test_demo_orders_are_the_orders_behind_every_return():
    app = create_app(demo=True)
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for ret in app.extensions["walmart"].returns.values():
        for line in ret["returnOrderLines"]:
            assert {"sku": line["item"]["sku"], "title": line["item"]["productName"],
                    "quantity": units(line["quantity"])} in orders[ret["customerOrderId"]]["lines"]


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "walmart"]
    loaded = WalmartSettings().load(emulator.settings("http://127.0.0.1:9"))
    assert loaded["api_base_url"] == "http://127.0.0.1:9" and loaded["service_name"] == "Walmart Marketplace"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Walmart → Fake Shop (demo)"]
        cid = 1  # the demo's only connection, in the test's fresh database
        settle(hub, cid, done=lambda: overview(hub, cid).get("in_shop") == 12)
    finally:
        for server in prepared.servers:
            server.stop()
