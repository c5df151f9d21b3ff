"""The whole flow through the core: Walmart emulator -> hub jobs -> the core's fake shop -> the merchant's
decision -> a refund at Walmart. Real HTTP, real Redis, SQLite (and PostgreSQL when set)."""
from __future__ import annotations

from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def refunds(emu, status=None):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path.endswith("/refund")
            and (status is None or e.status == status)]


def test_accept_is_a_refund_at_walmart(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=2, quantity=1)[0]
    in_shop(hub, cid, 1)
    rid = ret["returnOrderId"]
    lines = find_return(hub, rid).lines
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("accepted", 1) for line in lines})
    pushed(hub, cid, rid)
    assert [line["refundedQty"] for line in ret["returnOrderLines"]] == [1, 1]
    assert len(refunds(emu)) == 1


def test_partial_quantity_through_the_core(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=1, quantity=3)[0]
    in_shop(hub, cid, 1)
    rid = ret["returnOrderId"]
    [line] = find_return(hub, rid).lines
    assert line.quantity == 3
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("accepted", 2)})
    pushed(hub, cid, rid)
    assert ret["returnOrderLines"][0]["refundedQty"] == 2
    assert refunds(emu)[0].body["refundLines"][0]["quantity"]["measurementValue"] == 2


def test_paging_through_the_core(hub, connection, state, emu):
    cid = connection(page_size=20)
    state.seed(45, lines=1)
    assert list(in_shop(hub, cid, 45).values()).count("in_shop") == 45
    assert len([e for e in emu.ledger.entries if e.path == "/v3/returns" and e.query.get("offset")]) >= 2


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1, lines=1, quantity=1)[0]
    emu.faults.inject(429, count=1, retry_after=7, path="/v3/returns")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    rid = ret["returnOrderId"]
    line = find_return(hub, rid).lines[0]
    emu.faults.inject(429, count=1, retry_after=5, path="/refund")
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("accepted", 1)})
    pushed(hub, cid, rid)
    assert 5 in fake_clock.slept
    assert [e.status for e in refunds(emu)] == [200] and ret["returnOrderLines"][0]["refundedQty"] == 1


def test_expired_tokens_are_renewed(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1, lines=1, quantity=1)[0]
    in_shop(hub, cid, 1)
    rid = ret["returnOrderId"]
    line = find_return(hub, rid).lines[0]
    fake_clock.advance(16 * 60)  # past the 15-minute token life
    emu.hook("expire-tokens", {})  # and Walmart dropped every token early too
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("accepted", 1)})
    pushed(hub, cid, rid)
    assert ret["returnOrderLines"][0]["refundedQty"] == 1
    assert len([e for e in emu.ledger.entries if e.path == "/v3/token" and e.status == 200]) >= 2


def test_a_lost_answer_after_a_push_is_not_refunded_again(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=1, quantity=2)[0]
    in_shop(hub, cid, 1)
    rid = ret["returnOrderId"]
    line = find_return(hub, rid).lines[0]
    emu.faults.drop(path="/refund")
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("accepted", 2)})
    pushed(hub, cid, rid)
    assert len(refunds(emu)) == 1
    assert ret["returnOrderLines"][0]["refundedQty"] == 2


def test_a_refused_refund_needs_attention_with_the_reason(hub, connection, state, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=1, quantity=1)[0]
    in_shop(hub, cid, 1)
    rid = ret["returnOrderId"]
    line = find_return(hub, rid).lines[0]
    ret["returnOrderLines"][0]["status"] = "CANCELLED"
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("accepted", 1)})
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[rid] == "needs_attention")
    assert "is cancelled" in attention_reason(hub, rid)


def test_a_decision_walmart_cannot_take_needs_attention(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, lines=1, quantity=1)[0]
    in_shop(hub, cid, 1)
    rid = ret["returnOrderId"]
    line = find_return(hub, rid).lines[0]
    decide_in_fake_shop(hub, shop_emu.url, rid, {line.external_line_id: ("rejected", 1)})
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[rid] == "needs_attention")
    assert "Walmart does not take 'rejected'" in attention_reason(hub, rid)  # refused by the core before any call
    assert refunds(emu) == []


def test_bad_payloads_do_not_stop_the_batch(hub, connection, state, emu):
    cid = connection()
    for kind in ("unknown_status", "missing_id", "unknown_return_type"):
        emu.hook("break", {"kind": kind})
    good = state.seed(2, lines=1)
    result = in_shop(hub, cid, 2)
    assert {k for k, v in result.items() if v == "in_shop"} == {r["returnOrderId"] for r in good}
