"""Fetching at the adapter: the Orders v4 enrichment, grouping per order, misdirected flags, next-link paging,
the incremental cursor, and quarantine of unusable items."""
from __future__ import annotations

from returnhub_otto.mapping import MISDIRECTED_FLAG

from hub.model import Quarantined, load_return


def rets(adapter, page_walker):
    return [load_return(i) for i in page_walker(adapter).items if isinstance(i, dict)]


def test_a_return_is_completed_from_its_order(make_adapter, page_walker, state):
    order = state.seed(1, units=3, same_product=False)[0]
    [ret] = rets(make_adapter(), page_walker)
    assert ret.marketplace_order_id == order["salesOrderId"]
    assert ret.raw["order_number"] == order["orderNumber"]
    assert ret.customer.address.country_code == "DE" and ret.customer.address.postal_code
    assert sorted(line.sku for line in ret.lines) == sorted(p["product"]["sku"] for p in order["positionItems"])
    prices = {p["product"]["sku"]: p["itemValueGrossPrice"]["amount"] for p in order["positionItems"]}
    assert all(float(line.unit_price) == prices[line.sku] and line.currency == "EUR" for line in ret.lines)
    assert ret.raw["tracking_numbers"] and ret.raw["carrier"] == "DHL"


def test_items_of_the_same_product_are_one_line(make_adapter, page_walker, state):
    order = state.seed(1, units=4, same_product=True)[0]
    [ret] = rets(make_adapter(), page_walker)
    [line] = ret.lines
    assert line.quantity == 4
    assert sorted(line.raw["position_item_ids"]) == sorted(state.item_ids(order))


def test_misdirected_items_carry_the_flag_and_the_step(make_adapter, page_walker, state):
    state.seed(1, units=1, status="MISDIRECTED", warehouse="OTTO-BREMEN-1")
    [ret] = rets(make_adapter(), page_walker)
    assert MISDIRECTED_FLAG in ret.flags and ret.raw["otto_warehouse_id"] == "OTTO-BREMEN-1"
    assert "OTTO-BREMEN-1" in ret.merchant_action and "forwarded" in ret.merchant_action


def test_next_links_are_followed_and_the_cursor_resumes(make_adapter, page_walker, state, emu):
    state.seed(12, units=1)
    adapter = make_adapter(page_size=5, pages_per_poll=1)
    found, cursor, pages = [], None, 0
    while True:
        page = adapter.fetch_returns(cursor)
        found += [i["external_id"] for i in page.items]
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
    assert len(set(found)) == 12 and pages >= 4
    listed = [e for e in emu.ledger.entries if e.path == "/v3/returns"]
    assert {q for e in listed for q in e.query.get("status", [])} == {"ANNOUNCED", "MISDIRECTED"}
    assert any(e.query.get("page") == ["3"] for e in listed)
    # the next poll hands over nothing already handed over, then only what is new
    again = adapter.fetch_returns(cursor)
    while again.more:
        again = adapter.fetch_returns(again.cursor)
    assert [i for i in again.items if i["external_id"] in found] == []


def test_a_second_poll_finds_only_new_returns(make_adapter, page_walker, state, fake_clock):
    state.seed(2, units=1)
    adapter = make_adapter()
    first = page_walker(adapter)
    assert len(first.items) == 2
    fake_clock.advance(3600)
    state.seed(1, units=1)
    second = page_walker(adapter, cursor=first.cursor)
    assert len(second.items) == 1


def test_unusable_items_are_quarantined_and_the_rest_arrives(make_adapter, page_walker, state):
    broken = state.seed(1, units=1)[0]
    del state.items[state.item_ids(broken)[0]]["salesOrderId"]
    orphan = state.seed(1, units=1)[0]
    del state.orders[orphan["salesOrderId"]]
    good = state.seed(1, units=1)[0]
    page = page_walker(make_adapter())
    bad = [i for i in page.items if isinstance(i, Quarantined)]
    assert sorted(b.reason.split(" ")[0] for b in bad) == ["order", "returned"]
    assert any("without positionItemId or salesOrderId" in b.reason for b in bad)
    assert any(f"order {orphan['salesOrderId']} could not be read" in b.reason for b in bad)
    assert [i["marketplace_order_id"] for i in page.items if isinstance(i, dict)] == [good["salesOrderId"]]


def test_an_unknown_return_status_is_refused_with_the_known_ones():
    import pytest
    from returnhub_otto.mapping import check_item

    from hub.errors import InvalidPayload
    with pytest.raises(InvalidPayload, match="unknown return status 'TELEPORTED'.*ANNOUNCED, ACCEPTED"):
        check_item({"positionItemId": "p1", "salesOrderId": "s1", "status": "TELEPORTED"})
