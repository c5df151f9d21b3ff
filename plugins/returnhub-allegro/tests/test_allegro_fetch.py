"""Fetching at the adapter: the canonical mapping (line items from the checkout form), the incremental cursor,
closed and One Fulfillment returns, the emulator's media-type and paging rules, and the demo data."""
from __future__ import annotations

from datetime import timedelta

import httpx
from returnhub_allegro.emulator import create_app, demo_orders

from hub.model import Quarantined, load_return


def test_a_return_maps_with_its_order(make_adapter, page_walker, state):
    made = state.seed(1, items=2, quantity=2, ordered_extra=1)[0]
    order = state.orders[made["orderId"]]
    [item] = page_walker(make_adapter()).items
    ret = load_return(item)
    assert (ret.external_id, ret.marketplace_order_id, ret.fulfilment.value) == (made["id"], order["id"], "merchant")
    assert [line.external_line_id for line in ret.lines] == [li["id"] for li in order["lineItems"]]
    first, li = ret.lines[0], order["lineItems"][0]
    assert (first.quantity, first.sku, first.title, str(first.unit_price), first.currency) == (
        2, li["offer"]["external"]["id"], li["offer"]["name"], li["price"]["amount"], "PLN")
    assert first.reason_code == made["items"][0]["reason"]["type"]
    assert ret.customer.address.country_code == "PL" and ret.customer.email == made["buyer"]["email"]
    assert ret.raw["paymentId"] == order["payment"]["id"] and ret.raw["referenceNumber"] == made["referenceNumber"]


def test_the_cursor_asks_only_for_what_is_new(make_adapter, page_walker, state, emu, fake_clock):
    state.seed(3)
    adapter = make_adapter()
    first = page_walker(adapter)
    assert len(first.items) == 3
    fake_clock.advance(60)
    assert page_walker(adapter, first.cursor).items == []
    fake_clock.advance(60)
    new = state.seed(1, age=timedelta(seconds=1))[0]
    again = page_walker(adapter, first.cursor)
    assert [i["external_id"] for i in again.items] == [new["id"]]
    gte = [e.query.get("createdAt.gte") for e in emu.ledger.entries if e.path == "/order/customer-returns"]
    assert all(g and g[0] for g in gte)


def test_closed_returns_are_not_imported_and_one_fulfillment_is_marked(make_adapter, page_walker, state):
    state.seed(1, status="FINISHED")
    state.seed(1, status="REJECTED")
    fba = state.seed(1, fulfillment=True)[0]
    [item] = page_walker(make_adapter()).items
    assert item["external_id"] == fba["id"]
    assert (item["fulfilment"], item["fulfilment_method"]) == ("marketplace", "one_fulfillment")


def test_an_item_missing_from_the_order_is_quarantined(make_adapter, page_walker, state):
    made = state.seed(1)[0]
    made["items"][0]["offerId"] = "999"
    [item] = page_walker(make_adapter()).items
    assert isinstance(item, Quarantined) and "offer 999 is not a line item of order" in item.reason


def test_the_emulator_wants_the_beta_media_type_and_paging_in_range(make_adapter, emu):
    adapter = make_adapter()
    adapter.check()
    token = adapter.client.auth.state.access_token
    api = httpx.Client(base_url=emu.url, headers={"Authorization": f"Bearer {token}"})
    wrong = api.get("/order/customer-returns", headers={"Accept": "application/vnd.allegro.public.v1+json"})
    assert wrong.status_code == 406 and "beta" in wrong.json()["errors"][0]["message"]
    beta = {"Accept": "application/vnd.allegro.beta.v1+json"}
    assert api.get("/order/customer-returns", params={"limit": 1001}, headers=beta).status_code == 400
    assert api.get("/order/customer-returns", headers={**beta, "Authorization": "Bearer expired"}).status_code == 401


def test_demo_data_validates_and_names_its_orders(page_walker, adapter_factory):
    from hub.testing.emulator import EmulatorServer
    app = create_app(demo=True)
    with EmulatorServer(app) as server:
        from returnhub_allegro.adapter import AllegroMarketplace
        from returnhub_allegro.emulator import emulator_settings
        items = page_walker(adapter_factory(AllegroMarketplace, emulator_settings(server.url))).items
    rets = [load_return(i) for i in items]
    assert len(rets) == 10 and any(len(r.lines) == 2 for r in rets)
    orders = {o["order_id"] for o in demo_orders(app)}
    assert {r.marketplace_order_id for r in rets} <= orders
