"""The whole flow through the core: Fruugo emulator -> hub jobs -> the core's fake shop -> the merchant's
decision -> a return confirmation at Fruugo. Real HTTP, real Redis, SQLite (and PostgreSQL when set)."""
from __future__ import annotations

from datetime import timedelta

from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, quarantined, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def confirmations(emu, status=None):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path == "/orders/return"
            and (status is None or e.status == status)]


def test_accept_confirms_the_return_at_fruugo(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, lines=2, quantity=2)[0]
    in_shop(hub, cid, 1)
    oid = order["orderId"]
    lines = find_return(hub, oid).lines
    assert sorted(line.quantity for line in lines) == [2, 2]
    decide_in_fake_shop(hub, shop_emu.url, oid, {line.external_line_id: ("accepted", 2) for line in lines})
    pushed(hub, cid, oid)
    assert [line["returned"] for line in order["lines"]] == [2, 2]
    assert len(confirmations(emu)) == 1 and state.confirmations[0]["orderId"] == oid


def test_a_partial_quantity_is_refused_up_front(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, lines=1, quantity=3)[0]
    in_shop(hub, cid, 1)
    oid = order["orderId"]
    [line] = find_return(hub, oid).lines
    decide_in_fake_shop(hub, shop_emu.url, oid, {line.external_line_id: ("accepted", 2)})
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[oid] == "needs_attention")
    assert "Fruugo returns whole lines only" in attention_reason(hub, oid)
    assert "decision is for 2" in attention_reason(hub, oid)
    assert confirmations(emu) == [] and order["lines"][0]["returned"] == 0


def test_paging_by_release_windows_through_the_core(hub, connection, state, emu):
    cid = connection(window_days=2, lookback_days=20)
    for day in (1, 4, 7, 11, 15):
        state.seed(3, age=timedelta(days=day))
    assert list(in_shop(hub, cid, 15).values()).count("in_shop") == 15
    assert len([e for e in emu.ledger.entries if e.path == "/orders/download/v2"]) >= 10


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    order = state.seed(1)[0]
    emu.faults.inject(429, count=1, retry_after=7, path="/orders/download")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    oid = order["orderId"]
    line = find_return(hub, oid).lines[0]
    emu.faults.inject(429, count=1, retry_after=5, path="/orders/return")
    decide_in_fake_shop(hub, shop_emu.url, oid, {line.external_line_id: ("accepted", 1)})
    pushed(hub, cid, oid)
    assert 5 in fake_clock.slept
    assert [e.status for e in confirmations(emu)] == [200] and order["lines"][0]["returned"] == 1


def test_a_lost_answer_after_confirming_is_not_confirmed_again(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, quantity=2)[0]
    in_shop(hub, cid, 1)
    oid = order["orderId"]
    line = find_return(hub, oid).lines[0]
    emu.faults.drop(path="/orders/return")
    decide_in_fake_shop(hub, shop_emu.url, oid, {line.external_line_id: ("accepted", 2)})
    pushed(hub, cid, oid)
    assert len(confirmations(emu)) == 1 and len(state.confirmations) == 1
    assert order["lines"][0]["returned"] == 2


def test_a_decision_fruugo_cannot_take_needs_attention(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1)[0]
    in_shop(hub, cid, 1)
    oid = order["orderId"]
    line = find_return(hub, oid).lines[0]
    decide_in_fake_shop(hub, shop_emu.url, oid, {line.external_line_id: ("rejected", 1)})
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[oid] == "needs_attention")
    assert "Fruugo does not take 'rejected'" in attention_reason(hub, oid)  # refused by the core before any call
    assert confirmations(emu) == []


def test_bad_payloads_are_quarantined_and_the_batch_goes_on(hub, connection, state, emu):
    cid = connection()
    broken = [emu.hook("break", {"kind": kind})["orderId"] for kind in ("unknown_status", "missing_sku_id",
                                                                         "bad_counter")]
    good = state.seed(2)
    result = in_shop(hub, cid, 2)
    assert {k for k, v in result.items() if v == "in_shop"} == {o["orderId"] for o in good}
    reasons = quarantined(hub, cid)
    assert set(broken) <= set(reasons)
    assert any("unknown orderStatus 'TELEPORTED'" in str(r) for r in reasons.values())


def test_each_line_is_confirmed_as_soon_as_it_is_decided(hub, connection, state, emu, shop_emu):
    cid = connection()
    order = state.seed(1, lines=2, quantity=1)[0]
    in_shop(hub, cid, 1)
    oid = order["orderId"]
    first, second = sorted(find_return(hub, oid).lines, key=lambda line: line.external_line_id)
    decide_in_fake_shop(hub, shop_emu.url, oid, {first.external_line_id: ("accepted", 1)})
    settle(hub, cid, poll=False, done=lambda: len(state.confirmations) == 1)
    assert state.confirmations[0]["items"] == [first.external_line_id.replace(":", ",") + ",1"]
    decide_in_fake_shop(hub, shop_emu.url, oid, {second.external_line_id: ("accepted", 1)})
    pushed(hub, cid, oid)
    assert [c["items"] for c in state.confirmations][1] == [second.external_line_id.replace(":", ",") + ",1"]
    assert [line["returned"] for line in order["lines"]] == [1, 1]
