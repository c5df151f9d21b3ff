"""The demo wiring: the core's demo seeds the Mijnwebwinkel emulator, and a person can play the merchant."""
from __future__ import annotations

import httpx
from conftest import make_return

from hub.demo import prepare_demo
from hub.testing.flow import find_return, overview, settle, states


def test_demo_seeds_orders_the_default_lookup_finds(hub, config):
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Fake Marketplace → Mijnwebwinkel (demo)"]
        settle(hub, 1, done=lambda: overview(hub) == {"in_shop": 12})
        store = next(srv.app.config["STORE"] for srv in prepared.servers if "STORE" in srv.app.config)
        for external_id in states(hub):  # written onto the order that holds its marketplace order number
            ret = find_return(hub, external_id)
            order = store.orders[int(ret.shop_order_id)]
            assert f"Marketplace order {ret.marketplace_order_id}\n" in order["comments"]["internal"]
            assert f"[{ret.reference}]" in order["comments"]["internal"]
    finally:
        for server in prepared.servers:
            server.stop()


def test_admin_page_lets_a_person_play_the_merchant(emulator, make_shop):
    emulator.order("MO9")
    shop = make_shop()
    ret = make_return("MO9", lines=[{"external_line_id": "L1", "quantity": 1, "sku": "SKU-1",
                                     "customer_comment": "<script>alert(1)</script>"}])
    ret.shop_order_id = shop.find_order(ret)
    shop.create_return(ret)
    page = httpx.get(emulator.url + "/").text
    assert "20 Retour aangevraagd" in page and f"[{ret.reference}]" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    number = ret.shop_order_id
    answer = httpx.post(f"{emulator.url}/_merchant/orders/{number}/status", data={"status": "22"})
    assert answer.status_code == 303
    [decided] = shop.fetch_decisions([ret_with_id(ret, shop)], None)
    assert [(d.decision, d.raw) for d in decided.lines] == [("rejected", "status 22 (Retour afgewezen)")]
    httpx.post(f"{emulator.url}/_merchant/orders/{number}/credit")
    assert emulator.store.orders[int(number)]["credit_order_numbers"]


def ret_with_id(ret, shop):
    ret.shop_return_id = f"{ret.shop_order_id}/{ret.reference}"
    return ret
