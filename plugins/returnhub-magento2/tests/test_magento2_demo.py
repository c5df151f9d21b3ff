"""The demo wiring: bol's emulator gives its orders, Magento 2's emulator seeds them, and every demo
return reaches the store as an RMA on the order it came from."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from hub.demo import prepare_demo
from hub.testing.flow import settle


@pytest.fixture
def hub_plugins():
    return ["bol", "magento2"]


def test_demo_connects_bol_to_magento2(hub, config):
    prepared = prepare_demo(config)
    try:
        [name] = prepared.connections
        assert name.endswith("→ Magento 2 / Adobe Commerce (demo)")
        with hub.session() as s:
            cid = s.execute(text("select id from connection where name = :n"), {"n": name}).scalar()
        final = settle(hub, cid, quiet_rounds=1)
        # FBB returns are fulfilled by bol: created in the store as accepted, closed without a push
        assert "in_shop" in final.values() and set(final.values()) <= {"in_shop", "closed_without_push"}, final
        store = next(srv.app.config["STORE"] for srv in prepared.servers if "STORE" in srv.app.config)
        assert len(store.rmas) == len(final)
        with hub.session() as s:
            rows = s.execute(text("select marketplace_order_id, shop_return_id from return_request")).all()
        for order_id, rid in rows:  # each on the order named after the bol order
            assert store.orders[store.rmas[int(rid)]["order_id"]]["increment_id"] == order_id
    finally:
        for server in prepared.servers:
            server.stop()
