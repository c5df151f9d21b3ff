"""Registering an OTTO return by hand before OTTO reports it (the parcel reached the merchant first): the order
is read from Orders v4, and when OTTO later lists the same position items the import keeps the registered return
(taking over OTTO's merchant action for a misdirected parcel) instead of storing a second one."""
from __future__ import annotations

from hub.db import ReturnEvent, ReturnRow
from hub.sync import commands
from hub.testing.flow import find_return, settle, states


def hidden_return(state, **kw):
    """An order whose returned items OTTO does not list yet; ``show()`` lists them."""
    order = state.seed(1, **kw)[0]
    items = {i: state.items.pop(i) for i in state.item_ids(order)}
    return order, lambda: state.items.update(items)


def test_otto_reporting_a_registered_return_later_keeps_one(hub, connection, state, emu, shop_emu):
    cid = connection()
    order, show = hidden_return(state, units=2, same_product=True, status="MISDIRECTED", warehouse="OTTO-HH-2")
    sku = order["positionItems"][0]["product"]["sku"]
    return_id = commands.register_return(hub, cid, commands.Registration(
        order_id=order["salesOrderId"], reason="too_big", lines=[commands.LineRequest(sku, 2)]), "user:test")
    [external_id] = states(hub, cid)
    ret = find_return(hub, external_id)
    assert ret.id == return_id and sorted(line.external_line_id for line in ret.lines) == sorted(
        state.item_ids(order))  # two position items of the SKU, one unit each
    assert ret.raw["sales_order_id"] == order["salesOrderId"] and ret.merchant_action is None
    show()
    settle(hub, cid, done=lambda: states(hub, cid).get(external_id) == "in_shop")
    assert list(states(hub, cid)) == [external_id]  # OTTO's report of the same items: not stored twice
    ret = find_return(hub, external_id)
    assert "OTTO-HH-2" in ret.merchant_action  # what OTTO says the merchant must do is kept on it
    with hub.session() as s:
        notes = [e.detail for e in s.query(ReturnEvent).join(ReturnRow).filter(ReturnRow.id == return_id)]
    assert any("the marketplace reported this return as" in (n or "") for n in notes)


def test_fetch_order_has_a_line_per_position_item_and_none_for_an_unknown_order(make_adapter, state):
    order = state.seed(1, units=3)[0]
    adapter = make_adapter()
    found = adapter.fetch_order(order["salesOrderId"])
    assert [line.external_line_id for line in found.lines] == state.item_ids(order)
    assert all(line.raw["position_item_ids"] == [line.external_line_id] and line.sku for line in found.lines)
    assert adapter.fetch_order("00000000-0000-0000-0000-000000000000") is None


def test_a_second_report_of_another_unit_is_a_new_return(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, units=2, same_product=True)[0]
    first, second = state.item_ids(order)
    hidden = {i: state.items.pop(i) for i in (first, second)}
    sku = order["positionItems"][0]["product"]["sku"]
    commands.register_return(hub, cid, commands.Registration(
        order_id=order["salesOrderId"], reason="defective", lines=[commands.LineRequest(first, 1)]), "user:test")
    [registered] = states(hub, cid)
    state.items[first] = hidden[first]  # OTTO lists the registered unit: kept as the registered return
    settle(hub, cid, done=lambda: states(hub, cid).get(registered) == "in_shop")
    assert list(states(hub, cid)) == [registered]
    state.items[second] = {**hidden[second], "occurredTime": state.items[first]["occurredTime"],
                           "details": {**hidden[second]["details"], "returnTrackingKey": {
                               "carrier": "DHL", "trackingNumbers": ["00340000000999"]}}}
    settle(hub, cid, done=lambda: len(states(hub, cid)) == 2)  # the other unit, sent back later: a new return
    [other] = [e for e in states(hub, cid) if e != registered]
    assert find_return(hub, other).lines[0].sku == sku and find_return(hub, other).lines[0].quantity == 1
