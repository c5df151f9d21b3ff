"""``returnhub demo`` with bol: seeded FBR and FBB returns, the orders behind them, settings that
point both hosts at the emulator, and the returns reaching the demo shop instead of waiting."""
from __future__ import annotations

from collections import Counter

import pytest
from returnhub_bol.emulator import create_app, demo_orders
from returnhub_bol.settings import BolSettings

from hub.testing.flow import connection_ids, find_return, settle


def test_demo_emulator_seeds_realistic_fbr_and_fbb_returns():
    returns = list(create_app(demo=True).extensions["bol"].returns.values())
    assert Counter(r["fulfilmentMethod"] for r in returns) == {"FBR": 19, "FBB": 6}
    items = [i for r in returns for i in r["returnItems"]]
    assert any(len(r["returnItems"]) > 1 for r in returns if r["fulfilmentMethod"] == "FBR")
    assert any(len(r["returnItems"]) > 1 for r in returns if r["fulfilmentMethod"] == "FBB")
    assert any(i["expectedQuantity"] > 1 for i in items)
    assert all(i["customerDetails"]["zipCode"] and i["returnReason"]["mainReason"] and i["ean"] for i in items)


def test_demo_orders_are_the_orders_behind_every_seeded_return():
    app = create_app(demo=True)
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for ret in app.extensions["bol"].returns.values():
        for item in ret["returnItems"]:
            lines = orders[item["orderId"]]["lines"]
            assert {"sku": None, "ean": item["ean"], "title": item["title"],
                    "quantity": item["expectedQuantity"]} in lines


def test_demo_settings_point_the_api_and_login_hosts_at_the_emulator(hub):
    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "bol"]
    settings = BolSettings().load(emulator.settings("http://127.0.0.1:8765"))
    assert settings["api_base_url"] == settings["login_base_url"] == "http://127.0.0.1:8765"
    assert emulator.demo_orders is demo_orders


def test_demo_returns_reach_the_demo_shop(config, hub):
    """prepare_demo (what ``make demo`` runs) with bol and the core's fake shop as the demo shop."""
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    prepared = prepare_demo(config)
    try:
        (cid,) = connection_ids(hub, "bol")
        found = Counter(settle(hub, cid).values())
        assert found == {"in_shop": 19, "closed_without_push": 6}
        app = next(s.app for s in prepared.servers if "bol" in getattr(s.app, "extensions", {}))
        fbb = [r["returnId"] for r in app.extensions["bol"].returns.values() if r["fulfilmentMethod"] == "FBB"]
        assert {find_return(hub, rid).state.value for rid in fbb} == {"closed_without_push"}
    finally:
        for server in prepared.servers:
            server.stop()
