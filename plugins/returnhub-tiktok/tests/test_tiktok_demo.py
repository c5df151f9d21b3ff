"""``returnhub demo`` with TikTok Shop: seeded returns (refund-only, requested, shipped back), the orders behind
them in the demo shop, and the returns reaching that shop through the core."""
from __future__ import annotations

import pytest
from returnhub_tiktok.emulator import create_app, demo_orders
from returnhub_tiktok.settings import TikTokSettings

from hub.testing.flow import overview, settle


def test_demo_emulator_seeds_every_decidable_kind():
    state = create_app(demo=True).extensions["tiktok"]
    returns = list(state.returns.values())
    assert len(returns) == 10
    assert {(r["return_type"], r["return_status"]) for r in returns} >= {
        ("REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"), ("RETURN_AND_REFUND", "RETURN_OR_REFUND_REQUEST_PENDING"),
        ("RETURN_AND_REFUND", "BUYER_SHIPPED_ITEM")}


def test_demo_orders_hold_every_returned_item():
    app = create_app(demo=True)
    orders = {o["order_id"]: o for o in demo_orders(app)}
    for ret in app.extensions["tiktok"].returns.values():
        skus = [line["sku"] for line in orders[ret["order_id"]]["lines"]]
        assert skus == [i["seller_sku"] for i in ret["return_line_items"]]


def test_demo_settings_and_returns_reach_the_demo_shop(config, hub):
    pytest.importorskip("returnhub_fakeshop", reason="needs the core's test plugins (the fake shop)")
    from hub.demo import prepare_demo

    (emulator,) = [e for e in hub.registry.emulators() if e.slug == "tiktok"]
    assert TikTokSettings().load(emulator.settings("http://127.0.0.1:9"))["api_base_url"] == "http://127.0.0.1:9"
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["TikTok Shop → Fake Shop (demo)"]
        cid = 1
        settle(hub, cid, done=lambda: overview(hub, cid).get("in_shop") == 10)
    finally:
        for server in prepared.servers:
            server.stop()
