"""The demo wiring: the core's demo seeds the Shopify emulator, and a person can play the merchant."""
from __future__ import annotations

import re

import httpx

from hub.demo import prepare_demo
from hub.testing.flow import find_return, overview, settle, states


def test_demo_seeds_orders_the_default_lookup_finds(hub, config):
    prepared = prepare_demo(config)
    try:
        assert prepared.connections == ["Fake Marketplace → Shopify (demo)"]
        cid = 1  # the only connection of the fresh database
        settle(hub, cid, done=lambda: overview(hub) == {"in_shop": 12})
        assert set(states(hub)) == set(states(hub, cid))
        store = next(srv.app.config["STORE"] for srv in prepared.servers if "STORE" in srv.app.config)
        by_id = {f"gid://shopify/Return/{n}": r for n, r in store.returns.items()}
        for external_id in states(hub):  # on the order named after it, every line matched
            ret = find_return(hub, external_id)
            shop_return = by_id[ret.shop_return_id]
            assert store.orders[shop_return["order"]]["name"] == ret.marketplace_order_id
            assert sum(li["quantity"] for li in shop_return["lines"]) == sum(line.quantity for line in ret.lines)
    finally:
        for server in prepared.servers:
            server.stop()


def test_admin_page_lets_a_person_play_the_merchant(emulator, emu, make_shop, new_return, receiver):
    emu.post("/webhooks", {"url": receiver.hook_url})
    emu.order(name="1043965710")
    ret = new_return("1043965710", lines=[{"external_line_id": "L1", "quantity": 1, "sku": "TSHIRT-BLK-M",
                                           "customer_comment": "<script>alert(1)</script>"}])
    rid = make_shop().create_return(ret)
    num = rid.rsplit("/", 1)[1]
    page = httpx.get(emulator.url + "/").text
    assert "1043965710-R1" in page and "REQUESTED" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert re.search(rf'action="/_merchant/returns/{num}/approve"', page)

    answer = httpx.post(f"{emulator.url}/_merchant/returns/{num}/decline",
                        data={"reason": "FINAL_SALE", "note": "Worn"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/?msg=")
    [shop_return] = emu.get("/returns")
    assert shop_return["status"] == "DECLINED" and shop_return["decline"] == {"reason": "FINAL_SALE", "note": "Worn"}
    assert [d["topic"] for d in emu.get("/deliveries")][-1] == "returns/decline"  # webhooks as from the hooks

    refused = httpx.post(f"{emulator.url}/_merchant/returns/{num}/approve", follow_redirects=True)
    assert "cannot approve a DECLINED return" in refused.text

    order = shop_return["order"].rsplit("/", 1)[1]
    httpx.post(f"{emulator.url}/_merchant/orders/{order}/tags", data={"add": "returnhub:kept"})
    assert "returnhub:kept" in emu.get("/orders")[0]["tags"]
    assert "Untag returnhub:kept" in httpx.get(emulator.url + "/").text
