"""``returnhub demo`` with OTTO: announced returns and one misdirected return, the orders behind them in the
demo shop, and the returns reaching that shop through the core."""
from __future__ import annotations

import pytest
from returnhub_otto.emulator import create_app, demo_orders
from returnhub_otto.settings import OttoSettings

from hub.testing.flow import find_return, overview, settle, states


def test_demo_emulator_seeds_announced_and_misdirected_returns():
    state = create_app(demo=True).extensions["otto"]
    assert len(state.orders) == 9
    assert {i["status"] for i in state.items.values()} == {"ANNOUNCED", "MISDIRECTED"}
    assert any(len(o["positionItems"]) > 1 for o in state.orders.values())


def test_demo_orders_are_the_orders_behind_every_item():
    app = create_app(demo=True)
    state = app.extensions["otto"]
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for item in state.items.values():
        skus = [line["sku"] for line in orders[item["salesOrderId"]]["lines"]]
        position = next(p for p in state.orders[item["salesOrderId"]]["positionItems"]
                        if p["positionItemId"] == item["positionItemId"])
        assert position["product"]["sku"] in skus


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "otto"]
    assert OttoSettings().load(emulator.settings("http://127.0.0.1:9"))["api_base_url"] == "http://127.0.0.1:9"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["OTTO Market → Fake Shop (demo)"]
        cid = 1
        settle(hub, cid, done=lambda: overview(hub, cid).get("in_shop") == 9)
        assert sum("misdirected" in find_return(hub, e).flags for e in states(hub, cid)) == 1
    finally:
        for server in prepared.servers:
            server.stop()
