"""Decisions at the adapter: reason codes and condition from the note or the settings, the one-way rule refused
up front, partial quantities, batches of at most 200, and what the emulator refuses as OTTO does."""
from __future__ import annotations

import pytest

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return


def fetched(adapter, page_walker):
    out = [load_return(i) for i in page_walker(adapter).items]
    for n, ret in enumerate(out, start=1):
        ret.id, ret.connection_id = n, 1
    return out


def decide(ret, decision, quantity=None, note=None):
    for line in ret.lines:
        line.decision, line.decision_quantity, line.decision_note = Decision(decision), quantity, note
    return ret


def sent(emu, kind):
    return [e.body["positionItems"] for e in emu.ledger.entries if e.path == f"/v3/returns/{kind}"]


def test_accept_uses_the_notes_reason_and_condition(make_adapter, page_walker, state, emu):
    order = state.seed(1, units=1)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "accepted", note="Kulanz: COMPLAINT, condition b"), ret.lines)
    [[item]] = sent(emu, "acceptance")
    assert item == {"positionItemId": state.item_ids(order)[0], "salesOrderId": order["salesOrderId"],
                    "reason": "COMPLAINT", "condition": "B"}


@pytest.mark.parametrize("note, reason", [("WRONG_ITEM: not our jacket", "WRONG_ITEM"), ("kaputt", "ITEM_DAMAGED"),
                                          (None, "ITEM_DAMAGED")])
def test_reject_sends_a_reason_code(make_adapter, page_walker, state, emu, note, reason):
    state.seed(1, units=1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "rejected", note=note), ret.lines)
    [[item]] = sent(emu, "rejection")
    assert item["reason"] == reason and "condition" not in item


def test_rejecting_an_accepted_item_is_refused_before_sending(make_adapter, page_walker, state, emu):
    state.seed(1, units=2, same_product=True)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "accepted", quantity=1), ret.lines)
    with pytest.raises(PermanentError, match="cannot reject 2 item.*1 of 2 already accepted.*one-way rule"):
        adapter.push_decision(decide(ret, "rejected", quantity=2), ret.lines)
    assert sent(emu, "rejection") == []
    adapter.push_decision(decide(ret, "rejected", quantity=1), ret.lines)  # the one not accepted may be rejected
    assert len(sent(emu, "rejection")[0]) == 1


def test_a_rejected_item_can_be_accepted_later(make_adapter, page_walker, state):
    order = state.seed(1, units=1)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "rejected"), ret.lines)
    adapter.push_decision(decide(ret, "accepted"), ret.lines)
    assert state.items[state.item_ids(order)[0]]["status"] == "ACCEPTED"


def test_partial_quantity_and_a_repush_sends_nothing_twice(make_adapter, page_walker, state, emu):
    order = state.seed(1, units=3, same_product=True)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "accepted", quantity=2), ret.lines)
    adapter.push_decision(ret, ret.lines)  # again, as after a crash
    assert sorted(state.items[i]["status"] for i in state.item_ids(order)) == ["ACCEPTED", "ACCEPTED", "ANNOUNCED"]
    assert [len(b) for b in sent(emu, "acceptance")] == [2]


def test_batches_follow_the_batch_size(make_adapter, page_walker, state, emu):
    state.seed(1, units=7, same_product=True)
    adapter = make_adapter(batch_size=3)
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "accepted"), ret.lines)
    assert [len(b) for b in sent(emu, "acceptance")] == [3, 3, 1]


def test_a_lost_answer_is_not_followed_by_a_second_acceptance(make_adapter, page_walker, state, emu):
    state.seed(1, units=1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    emu.faults.drop(path="/v3/returns/acceptance")
    with pytest.raises(TransientError):
        adapter.push_decision(decide(ret, "accepted"), ret.lines)
    adapter.push_decision(ret, ret.lines)
    assert len(state.decisions) == 1


@pytest.mark.parametrize("decision", ["kept", "cancelled", "repaired", "exchanged"])
def test_decisions_otto_has_no_action_for(make_adapter, page_walker, state, decision):
    state.seed(1, units=1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    with pytest.raises(PermanentError, match="accept or reject only"):
        adapter.push_decision(decide(ret, decision), ret.lines)


# -- the emulator answers as OTTO does -----------------------------------------------------------------
def item_of(state, order, **extra):
    return {"positionItemId": state.item_ids(order)[0], "salesOrderId": order["salesOrderId"], **extra}


def test_emulator_refuses_rejecting_an_accepted_item(make_adapter, state):
    order = state.seed(1, units=1)[0]
    client = make_adapter().client
    assert client.decide("acceptance", [item_of(state, order, reason="RETURN_RECEIVED")])["errors"] == []
    answer = client.decide("rejection", [item_of(state, order, reason="WRONG_ITEM")])
    assert "cannot be rejected afterwards" in answer["errors"][0]["detail"]
    assert state.items[state.item_ids(order)[0]]["status"] == "ACCEPTED"
    with pytest.raises(PermanentError, match="refused 1 of 1.*cannot be rejected"):
        make_adapter()._send("rejection", [item_of(state, order, reason="WRONG_ITEM")])


@pytest.mark.parametrize("kind, extra, message", [
    ("rejection", {"reason": "NOT_A_CODE"}, "Unknown rejection reason"),
    ("acceptance", {"reason": "WRONG_ITEM"}, "Unknown acceptance reason"),
    ("rejection", {}, "needs a reason"),
    ("acceptance", {"condition": "Z"}, "Unknown condition")])
def test_emulator_refuses_unknown_codes(make_adapter, state, kind, extra, message):
    order = state.seed(1, units=1)[0]
    with pytest.raises(PermanentError, match=f"400.*{message}"):
        make_adapter().client.decide(kind, [item_of(state, order, **extra)])
    assert state.decisions == []


def test_more_than_200_items_are_refused_by_client_and_emulator(make_adapter, state, emu):
    order = state.seed(1, units=1)[0]
    adapter = make_adapter()
    items = [item_of(state, order, reason="RETURN_RECEIVED")] * 201
    with pytest.raises(PermanentError, match="1 to 200"):
        adapter.client.decide("acceptance", items)
    resp = adapter.client.http.post("/v3/returns/acceptance", json={"positionItems": items})
    assert resp.status_code == 400 and "At most 200" in resp.text
