"""Registering a bol return by hand: the order is read with GET /retailer/orders/{order-id}, the return runs
through the core and the fake shop, and the merchant's decision creates (and handles) the return at bol with
POST /retailer/returns, once. Real HTTP, real Redis, SQLite; the traffic is held to bol's description."""
from __future__ import annotations

import pytest

from hub.model import Decision, load_return
from hub.sync import commands
from hub.testing.flow import decide_in_fake_shop, find_return, settle, states

fakeshop = pytest.importorskip(
    "returnhub_fakeshop.emulator",
    reason="full-flow tests need the core's test plugins: pip install -e tests/fixture_plugins/returnhub-testplugins")


def creates(emu) -> list[dict]:
    return [e.body for e in emu.ledger.find("POST") if e.path == "/retailer/returns" and e.status == 202]


def test_registered_return_is_created_at_bol_with_the_decision(hub, emu, shop_emu, bol_connection):
    cid = bol_connection()
    order = emu.state.order(items=2, quantity=2)
    first, second = order["orderItems"]
    fakeshop.seed_orders(shop_emu.app, [{"order_id": order["orderId"], "lines": [
        {"sku": None, "ean": i["product"]["ean"], "title": i["product"]["title"], "quantity": 2}
        for i in order["orderItems"]]}])
    return_id = commands.register_return(hub, cid, commands.Registration(
        order_id=order["orderId"], reason="defective",
        lines=[commands.LineRequest(first["product"]["ean"], 1), commands.LineRequest(second["orderItemId"], 2)]),
        "user:test")
    [external_id] = states(hub, cid)
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[external_id] == "in_shop")
    ret = find_return(hub, external_id)
    assert ret.id == return_id and {line.quantity for line in ret.lines} == {1, 2}
    decide_in_fake_shop(hub, shop_emu.url, external_id,
                        {line.external_line_id: ("accepted", line.quantity) for line in ret.lines})
    settle(hub, cid, done=lambda: states(hub, cid)[external_id] == "pushed")
    assert sorted((c["orderItemId"], c["quantityReturned"], c["handlingResult"]) for c in creates(emu)) == sorted(
        [(first["orderItemId"], 1, "RETURN_RECEIVED"), (second["orderItemId"], 2, "RETURN_RECEIVED")])
    assert emu.state.created_units == {first["orderItemId"]: 1, second["orderItemId"]: 2}
    assert states(hub, cid) == {external_id: "pushed"}  # bol's created return is handled: not imported again


def manual_return(order_id: str, line) -> object:
    ret = load_return({"external_id": "manual-1", "marketplace_order_id": order_id,
                       "requested_at": "2026-11-30T10:00:00Z", "flags": ["registered_by_hand"],
                       "lines": [{"external_line_id": line.external_line_id, "quantity": 1, "raw": dict(line.raw)}]})
    ret.lines[0].decision, ret.lines[0].decision_quantity = Decision.ACCEPTED, 1
    return ret


def test_a_repeated_push_finds_the_earlier_create_and_an_unknown_order_is_none(emu, make_adapter):
    order = emu.state.order(items=1, quantity=1)
    adapter = make_adapter()
    [line] = adapter.fetch_order(order["orderId"]).lines
    assert line.external_line_id == order["orderItems"][0]["orderItemId"] and line.quantity == 1
    assert adapter.fetch_order("4099999999") is None
    ret = manual_return(order["orderId"], line)
    adapter.push_decision(ret, ret.lines)
    adapter.push_decision(ret, ret.lines)  # a retry after a lost answer: the earlier create is found, not resent
    assert len(creates(emu)) == 1 and emu.state.created_units == {line.external_line_id: 1}


def test_order_lookup_and_create_are_valid_against_the_spec(emu, recording_adapter, traffic, spec):
    order = emu.state.order(items=2, quantity=1)
    adapter = recording_adapter()
    line = adapter.fetch_order(order["orderId"]).lines[0]
    adapter.fetch_order("4099999999")
    ret = manual_return(order["orderId"], line)
    adapter.push_decision(ret, ret.lines)
    exchanges = [e for e in traffic.take() if e.path != "/token"]
    assert {("GET", 200), ("GET", 404), ("POST", 202)} <= {(e.method, e.status) for e in exchanges}
    assert spec.violations(exchanges) == []
