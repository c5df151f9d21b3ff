"""The whole flow through the core against the Zalando emulator and the core's fake shop: a partner-fulfilled
return accepted in the shop becomes order line status 'returned'; ZSS and ZRS returns are imported for
information and closed without a push; 429 and a lost PATCH answer. Real HTTP, real Redis, SQLite."""
from __future__ import annotations

from returnhub_zalando.emulator import MERCHANT_ID

from hub import clock
from hub.sdk.cursor import iso
from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, settle, states


def patches(emu):
    return [e for e in emu.ledger.entries if e.method == "PATCH"]


def partner_return(state, order, *, external_id="RMA-1", reason="too_small"):
    """A partner-fulfilled return of every line of ``order`` as the shop (or a merchant) registers it."""
    items = state.order_items(order)
    return {"external_id": external_id, "marketplace_order_id": order["id"], "requested_at": iso(clock.now()),
            "customer": {"name": "Lena Fischer", "email": "lena@example.org"},
            "lines": [{"external_line_id": ref["id"], "sku": i["attributes"]["article_id"],
                       "ean": i["attributes"]["ean"], "quantity": 1, "reason_code": reason}
                      for i in items for ref in i["relationships"]["order_lines"]["data"]],
            "raw": {"order_id": order["id"]}}


def accept(hub, shop_emu, cid, external_id):
    settle(hub, cid, poll=False, done=lambda: states(hub, cid).get(external_id) == "in_shop")
    ret = find_return(hub, external_id)
    decide_in_fake_shop(hub, shop_emu.url, external_id,
                        {line.external_line_id: ("accepted", line.quantity) for line in ret.lines})


def test_accepted_partner_return_sets_the_line_returned(hub, connection, register, state, emu, shop_emu):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(2)
    register(cid, partner_return(state, order))
    accept(hub, shop_emu, cid, "RMA-1")
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)["RMA-1"] == "pushed")
    assert {line["attributes"]["status"] for line in state.order_lines(order)} == {"returned"}
    assert [p["reason"] for p in state.patches] == [3, 3]  # too_small -> SIZE_SMALL
    [first, _] = patches(emu)
    assert first.path.startswith(f"/merchants/{MERCHANT_ID}/orders/{order['id']}/items/")
    assert first.body["data"]["type"] == "OrderLine" and first.body["data"]["attributes"]["status"] == "returned"


def test_a_line_not_shipped_needs_attention_and_nothing_is_sent(hub, connection, register, state, emu, shop_emu):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(1, status="initial")
    register(cid, partner_return(state, order, external_id="RMA-2"))
    accept(hub, shop_emu, cid, "RMA-2")
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)["RMA-2"] == "needs_attention")
    assert "only a shipped line" in attention_reason(hub, "RMA-2")
    assert patches(emu) == []


def test_zss_returns_are_imported_and_closed_without_push(hub, connection, state, emu):
    cid = connection(import_zrs=False)
    order = state.zss_return()
    state.order(1)  # shipped, not returned: nothing to import
    settle(hub, cid, done=lambda: list(states(hub, cid).values()) == ["closed_without_push"])
    [external_id] = states(hub, cid)
    ret = find_return(hub, external_id)
    assert ret.fulfilment_method == "ZSS" and ret.marketplace_order_id == order["id"]
    assert ret.lines[0].reason_code == "SIZE_BIG" and ret.lines[0].sku
    assert patches(emu) == []


def test_zrs_items_are_imported_and_closed_without_push(hub, connection, state, emu):
    cid = connection(import_zss=False)
    row = state.zrs_item(days_ago=2)
    state.zrs_item(days_ago=0)  # today's items are not in the ZRS data yet
    settle(hub, cid, done=lambda: list(states(hub, cid).values()) == ["closed_without_push"])
    ret = find_return(hub, f"zrs-{row['id']}")
    assert ret.fulfilment_method == "ZRS" and ret.lines[0].ean == row["ean"]
    assert any("ZRC-ERFURT" in f for f in ret.flags)
    assert patches(emu) == []


def test_429_with_retry_after_is_waited_out(hub, connection, register, state, emu, shop_emu, fake_clock):
    cid = connection(import_zrs=False)
    state.zss_return()
    emu.faults.inject(429, count=1, retry_after=7, path=f"/merchants/{MERCHANT_ID}/orders")
    settle(hub, cid, done=lambda: list(states(hub, cid).values()) == ["closed_without_push"])
    assert 7 in fake_clock.slept
    order = state.order(1)
    register(cid, partner_return(state, order, external_id="RMA-3"))
    accept(hub, shop_emu, cid, "RMA-3")
    emu.faults.inject(429, count=1, retry_after=5, path="/lines/")
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)["RMA-3"] == "pushed")
    assert 5 in fake_clock.slept
    assert state.order_lines(order)[0]["attributes"]["status"] == "returned"


def test_a_lost_answer_after_returned_is_not_sent_again(hub, connection, register, state, emu, shop_emu, fake_clock):
    cid = connection(import_zss=False, import_zrs=False)
    order = state.order(1)
    register(cid, partner_return(state, order, external_id="RMA-4"))
    accept(hub, shop_emu, cid, "RMA-4")
    emu.faults.drop(path="/lines/")
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)["RMA-4"] == "pushed")
    assert len(state.patches) == 1 and len(patches(emu)) == 1
    assert state.order_lines(order)[0]["attributes"]["status"] == "returned"
