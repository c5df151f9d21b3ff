"""``returnhub demo`` with Kaufland: seeded returns on two storefronts, the orders behind them in the demo shop,
and the returns reaching that shop through the core."""
from __future__ import annotations

import pytest
from returnhub_kaufland.emulator import create_app, demo_orders
from returnhub_kaufland.settings import KauflandSettings

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_realistic_returns():
    state = create_app(demo=True).extensions["kaufland"]
    returns = list(state.returns.values())
    assert len(returns) == 12 and {r["storefront"] for r in returns} == {"de", "at"}
    assert any(len(r["unit_ids"]) > 1 for r in returns)
    assert {u["status"] for u in state.units.values()} == {"return_arrived", "need_to_be_returned"}


def test_demo_orders_are_the_orders_behind_every_unit():
    app = create_app(demo=True)
    state = app.extensions["kaufland"]
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for unit in state.units.values():
        ou = state.order_units[unit["id_order_unit"]]
        assert {"sku": ou["id_offer"], "ean": ou["product"]["eans"][0], "title": ou["product"]["title"],
                "quantity": 1} in orders[ou["id_order"]]["lines"]


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "kaufland"]
    assert KauflandSettings().load(emulator.settings("http://127.0.0.1:9"))["api_base_url"] == "http://127.0.0.1:9/v2"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Kaufland → Fake Shop (demo)"]
        cid = 1  # the demo's only connection, in the test's fresh database
        settle(hub, cid, done=lambda: overview(hub, cid).get("in_shop") == 12)
    finally:
        for server in prepared.servers:
            server.stop()
