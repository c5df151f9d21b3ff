"""``returnhub demo`` with Miravia: seeded reverse orders (returns and refund-only), the orders behind them in the
demo shop, and the returns reaching that shop through the core."""
from __future__ import annotations

import pytest
from returnhub_miravia.emulator import create_app, demo_orders
from returnhub_miravia.settings import MiraviaSettings

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_returns_and_refund_only_requests():
    state = create_app(demo=True).extensions["miravia"]
    rows = list(state.reverse_orders.values())
    assert len(rows) == 10
    assert {r["request_type"] for r in rows} == {"RETURN", "ONLY_REFUND"}


def test_demo_orders_hold_every_returned_item():
    app = create_app(demo=True)
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for ret in app.extensions["miravia"].reverse_orders.values():
        skus = [line["sku"] for line in orders[str(ret["trade_order_id"])]["lines"]]
        assert skus == [line["seller_sku_id"] for line in ret["reverse_order_lines"]]


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "miravia"]
    loaded = MiraviaSettings().load(emulator.settings("http://127.0.0.1:9"))
    assert loaded["api_base_url"] == "http://127.0.0.1:9/rest"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Miravia → Fake Shop (demo)"]
        settle(hub, 1, done=lambda: overview(hub, 1).get("in_shop") == 10)
    finally:
        for server in prepared.servers:
            server.stop()
