"""The demo wiring: a Mirakl operator's emulator gives its orders, Magento 1's emulator seeds them, and demo
returns reach the store as Returnhub's comment on the order they came from."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from hub.demo import prepare_demo
from hub.testing.flow import settle


@pytest.fixture
def hub_plugins():
    return ["mirakl", "magento1"]


def test_demo_connects_mirakl_to_magento1(hub, config):
    prepared = prepare_demo(config)
    try:
        assert prepared.connections and all(n.endswith("→ Magento 1 / OpenMage (demo)") for n in prepared.connections)
        with hub.session() as s:
            cid = s.execute(text("select id from connection where name = :n"),
                            {"n": prepared.connections[0]}).scalar()
        final = settle(hub, cid, quiet_rounds=1)
        assert "in_shop" in final.values(), final
        store = next(srv.app.config["STORE"] for srv in prepared.servers if "STORE" in srv.app.config)
        with hub.session() as s:
            rows = s.execute(text("select marketplace_order_id, shop_return_id from return_request "
                                  "where connection_id = :c and shop_return_id is not null"), {"c": cid}).all()
        assert rows
        for order_id, rid in rows:  # each on the order named after the marketplace order
            assert rid.startswith(f"order/{order_id}/")
            assert any(c["comment"].startswith("[") for c in store.orders[order_id]["status_history"])
    finally:
        for server in prepared.servers:
            server.stop()
