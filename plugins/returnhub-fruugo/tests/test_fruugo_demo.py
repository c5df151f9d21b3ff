"""``returnhub demo`` with Fruugo: seeded orders with announced returns, the orders behind them in the demo
shop, and the returns reaching that shop through the core."""
from __future__ import annotations

import pytest
from returnhub_fruugo.emulator import create_app, demo_orders
from returnhub_fruugo.settings import FruugoSettings

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_orders_with_announced_returns():
    state = create_app(demo=True).extensions["fruugo"]
    orders = list(state.orders.values())
    assert len(orders) == 10
    assert any(len(o["lines"]) > 1 for o in orders)
    assert all(line["announced"] > line["returned"] for o in orders for line in o["lines"])


def test_demo_orders_are_the_orders_behind_every_return():
    app = create_app(demo=True)
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for order in app.extensions["fruugo"].orders.values():
        for line in order["lines"]:
            assert {"sku": line["skuId"], "title": line["skuName"], "quantity": line["total"]} in \
                orders[order["orderId"]]["lines"]


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "fruugo"]
    loaded = FruugoSettings().load(emulator.settings("http://127.0.0.1:9"))
    assert loaded["api_base_url"] == "http://127.0.0.1:9" and loaded["return_path"] == "/orders/return"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Fruugo → Fake Shop (demo)"]
        cid = 1
        settle(hub, cid, done=lambda: overview(hub, cid).get("in_shop") == 10)
    finally:
        for server in prepared.servers:
            server.stop()
