"""The whole flow through the core: Kaufland emulator -> hub jobs -> the core's fake shop -> the merchant's
decision -> PATCH per return unit at Kaufland. Real HTTP, real Redis, SQLite (and PostgreSQL when set)."""
from __future__ import annotations

import pytest
from returnhub_kaufland.mapping import decision_for

from hub.model import Decision
from hub.testing.flow import attention_reason, decide_in_fake_shop, find_return, settle, states


def in_shop(hub, cid, count):
    return settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == count)


def pushed(hub, cid, *external_ids):
    return settle(hub, cid, poll=False, done=lambda: all(states(hub, cid)[e] == "pushed" for e in external_ids))


def patches(emu, action=None):
    return [e for e in emu.ledger.entries if e.method == "PATCH" and (action is None or e.path.endswith(action))]


def test_each_declared_decision_reaches_kaufland(hub, connection, state, emu, shop_emu):
    cid = connection()
    made = state.seed(4, units=1)
    in_shop(hub, cid, 4)
    decisions = dict(zip([str(r["id_return"]) for r in made], ["accepted", "rejected", "repaired", "exchanged"]))
    for external_id, decision in decisions.items():
        line = find_return(hub, external_id).lines[0]
        decide_in_fake_shop(hub, shop_emu.url, external_id, {line.external_line_id: (decision, 1)})
    pushed(hub, cid, *decisions)
    for ret in made:
        assert decision_for(state.units[ret["unit_ids"][0]]["status"]) == Decision(decisions[str(ret["id_return"])])
    assert sorted(e.path.rsplit("/", 1)[1] for e in patches(emu)) == ["accept", "clarify", "reject", "repair"]


def test_partial_quantity_through_the_core(hub, connection, state, emu, shop_emu):
    cid = connection()
    ret = state.seed(1, units=3, same_product=True)[0]
    in_shop(hub, cid, 1)
    external_id = str(ret["id_return"])
    [line] = find_return(hub, external_id).lines
    assert line.quantity == 3
    decide_in_fake_shop(hub, shop_emu.url, external_id, {line.external_line_id: ("rejected", 2)})
    pushed(hub, cid, external_id)
    assert sorted(state.units[u]["status"] for u in ret["unit_ids"]) == [
        "return_arrived", "return_rejected", "return_rejected"]
    assert len(patches(emu)) == 2


def test_paging_through_the_core(hub, connection, state):
    cid = connection(storefronts=["de"])
    state.seed(101, units=1)  # two pages of at most 100
    assert list(in_shop(hub, cid, 101).values()).count("in_shop") == 101


def test_429_with_retry_after_is_waited_out(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1, units=1)[0]
    emu.faults.inject(429, count=1, retry_after=7, path="/v2/returns")
    in_shop(hub, cid, 1)
    assert 7 in fake_clock.slept
    external_id = str(ret["id_return"])
    line = find_return(hub, external_id).lines[0]
    emu.faults.inject(429, count=1, retry_after=5, path="/accept")
    decide_in_fake_shop(hub, shop_emu.url, external_id, {line.external_line_id: ("accepted", 1)})
    pushed(hub, cid, external_id)
    assert 5 in fake_clock.slept
    assert [e.status for e in patches(emu)] == [204]


def test_a_lost_answer_after_a_push_is_not_pushed_again(hub, connection, state, emu, shop_emu, fake_clock):
    cid = connection()
    ret = state.seed(1, units=1)[0]
    in_shop(hub, cid, 1)
    external_id = str(ret["id_return"])
    line = find_return(hub, external_id).lines[0]
    emu.faults.drop(path="/accept")
    decide_in_fake_shop(hub, shop_emu.url, external_id, {line.external_line_id: ("accepted", 1)})
    pushed(hub, cid, external_id)
    assert len(patches(emu)) == 1
    assert state.units[ret["unit_ids"][0]]["status"] == "return_accepted"


def test_a_refused_decision_needs_attention_with_the_reason(hub, connection, state, shop_emu):
    cid = connection()
    ret = state.seed(1, units=1, unit_status="need_to_be_returned", status="package_sent")[0]
    in_shop(hub, cid, 1)
    external_id = str(ret["id_return"])
    line = find_return(hub, external_id).lines[0]
    decide_in_fake_shop(hub, shop_emu.url, external_id, {line.external_line_id: ("repaired", 1)})
    settle(hub, cid, poll=False, done=lambda: states(hub, cid)[external_id] == "needs_attention")
    reason = attention_reason(hub, external_id)
    assert "refused to repair" in reason and "need_to_be_returned" in reason


@pytest.mark.parametrize("kind", ["unknown_status", "missing_order_unit"])
def test_bad_payloads_do_not_stop_the_batch(hub, connection, state, emu, kind):
    cid = connection()
    emu.hook("break", {"kind": kind})
    good = state.seed(2, units=1)
    result = settle(hub, cid, done=lambda: list(states(hub, cid).values()).count("in_shop") == 2)
    assert set(result) == {str(r["id_return"]) for r in good}
