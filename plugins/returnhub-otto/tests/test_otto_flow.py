"""The whole flow through the core: OTTO emulator -> hub jobs -> the core's fake shop -> the merchant's decision
-> acceptance/rejection per position item at OTTO. Real HTTP, real Redis, SQLite (and PostgreSQL when set)."""
from __future__ import annotations

from returnhub_otto.mapping import MISDIRECTED_FLAG

from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def calls(emu, kind):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path == f"/v3/returns/{kind}"]


def only(hub, cid):
    [external_id] = states(hub, cid)
    return external_id, find_return(hub, external_id)


def decide_all(hub, shop_emu, external_id, decision):
    ret = find_return(hub, external_id)
    decide_in_fake_shop(hub, shop_emu.url, external_id,
                        {line.external_line_id: (decision, line.quantity) for line in ret.lines})


def test_accept_reaches_otto(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, units=2)[0]
    in_shop(hub, cid, 1)
    external_id, ret = only(hub, cid)
    assert ret.lines[0].sku and ret.lines[0].unit_price is not None and ret.customer.address.city
    decide_all(hub, shop_emu, external_id, "accepted")
    pushed(hub, cid, external_id)
    assert {state.items[i]["status"] for i in state.item_ids(order)} == {"ACCEPTED"}
    [call] = calls(emu, "acceptance")
    assert {i["reason"] for i in call.body["positionItems"]} == {"RETURN_RECEIVED"}


def test_reject_with_a_reason_code(hub, connection, state, emu, shop_emu):
    cid = connection(reject_reason="WRONG_ITEM", default_condition="C")
    order = state.seed(1, units=1)[0]
    in_shop(hub, cid, 1)
    external_id, _ = only(hub, cid)
    decide_all(hub, shop_emu, external_id, "rejected")
    pushed(hub, cid, external_id)
    [item_id] = state.item_ids(order)
    assert state.items[item_id]["status"] == "REJECTED"
    assert calls(emu, "rejection")[0].body["positionItems"] == [
        {"positionItemId": item_id, "salesOrderId": order["salesOrderId"], "reason": "WRONG_ITEM", "condition": "C"}]


def test_the_one_way_rule_refuses_rejecting_an_accepted_return(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, units=1)[0]
    in_shop(hub, cid, 1)
    external_id, _ = only(hub, cid)
    [item_id] = state.item_ids(order)
    # The merchant accepted the item in OTTO Partner Connect meanwhile (the refund went out), then rejects here.
    state.items[item_id]["status"] = "ACCEPTED"
    order["positionItems"][0]["fulfillmentStatus"] = "RETURNED"
    decide_all(hub, shop_emu, external_id, "rejected")
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[external_id] == "needs_attention")
    reason = attention_reason(hub, external_id)
    assert "one-way rule" in reason and "can never be rejected" in reason
    assert calls(emu, "rejection") == []
    assert state.items[item_id]["status"] == "ACCEPTED"


def test_a_rejected_return_can_still_be_accepted(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, units=1)[0]
    [item_id] = state.item_ids(order)
    in_shop(hub, cid, 1)
    external_id, _ = only(hub, cid)
    state.items[item_id]["status"] = "REJECTED"  # rejected meanwhile in OTTO Partner Connect
    decide_all(hub, shop_emu, external_id, "accepted")
    pushed(hub, cid, external_id)
    assert state.items[item_id]["status"] == "ACCEPTED"


def test_misdirected_returns_are_flagged_with_the_merchants_step(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, units=1, status="MISDIRECTED", warehouse="OTTO-HAIDA-3")[0]
    state.seed(1, units=1)
    in_shop(hub, cid, 2)
    [external_id] = [e for e in states(hub, cid) if e.startswith(order["salesOrderId"])]
    ret = find_return(hub, external_id)
    assert MISDIRECTED_FLAG in ret.flags
    step = ret.merchant_action
    assert "OTTO-HAIDA-3" in step and "OTTO partner support" in step
    assert "OTTO-HAIDA-3" in ret.lines[0].reason_text
    decide_all(hub, shop_emu, external_id, "accepted")
    pushed(hub, cid, external_id)
    assert state.items[state.item_ids(order)[0]]["status"] == "ACCEPTED"


def test_batching_sends_at_most_200_items_per_call(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, units=250, same_product=True)[0]
    in_shop(hub, cid, 1)
    external_id, ret = only(hub, cid)
    assert [line.quantity for line in ret.lines] == [250]
    decide_all(hub, shop_emu, external_id, "accepted")
    pushed(hub, cid, external_id)
    assert [len(c.body["positionItems"]) for c in calls(emu, "acceptance")] == [200, 50]
    assert {state.items[i]["status"] for i in state.item_ids(order)} == {"ACCEPTED"}


def test_paging_through_the_core(hub, connection, state, emu):
    cid = connection(pages_per_poll=1, page_size=20)
    state.seed(45, units=1)  # three list pages of at most 20, one per import step
    assert list(in_shop(hub, cid, 45).values()).count("in_shop") == 45
    assert sum(1 for e in emu.ledger.entries if e.path == "/v3/returns" and "page" in e.query) >= 2


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    state.seed(1, units=1)
    emu.faults.inject(429, count=1, retry_after=7, path="/v3/returns")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    external_id, _ = only(hub, cid)
    emu.faults.inject(429, count=1, retry_after=5, path="/v3/returns/acceptance")
    decide_all(hub, shop_emu, external_id, "accepted")
    pushed(hub, cid, external_id)
    assert 5 in fake_clock.slept
    assert [c.status for c in calls(emu, "acceptance")] == [200]


def test_a_lost_answer_after_an_accept_is_not_accepted_again(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    order = state.seed(1, units=3, same_product=True)[0]
    in_shop(hub, cid, 1)
    external_id, _ = only(hub, cid)
    emu.faults.drop(path="/v3/returns/acceptance")
    decide_all(hub, shop_emu, external_id, "accepted")
    pushed(hub, cid, external_id)
    assert len(calls(emu, "acceptance")) == 1
    assert [d["kind"] for d in state.decisions] == ["acceptance"]
    assert {state.items[i]["status"] for i in state.item_ids(order)} == {"ACCEPTED"}
