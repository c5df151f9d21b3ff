"""Decisions per return unit at the adapter: the §6.5 mapping, partial quantities, re-push after a crash or a
lost answer, and the emulator's transition rules (refused with Kaufland's 403)."""
from __future__ import annotations

import pytest
from returnhub_kaufland.mapping import decision_for

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return


def fetched(adapter, page_walker):
    """The fetched returns as the core hands them to push_decision."""
    rets = [load_return(i) for i in page_walker(adapter).items]
    for n, ret in enumerate(rets, start=1):
        ret.id, ret.connection_id = n, 1
    return rets


def decide(ret, decision, quantity=None, note=None):
    for line in ret.lines:
        line.decision, line.decision_quantity, line.decision_note = Decision(decision), quantity, note
    return ret


def patches(emu):
    return [(e.path.rsplit("/", 2)[1], e.path.rsplit("/", 1)[1], (e.body or {}).get("message"), e.status)
            for e in emu.ledger.entries if e.method == "PATCH"]


@pytest.mark.parametrize("decision, action", [("accepted", "accept"), ("rejected", "reject"),
                                              ("repaired", "repair"), ("exchanged", "clarify")])
def test_each_decision_is_its_kaufland_action(make_adapter, page_walker, state, emu, decision, action):
    state.seed(1, units=1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, decision, note="Kratzer am Gehäuse"), ret.lines)
    unit = ret.lines[0].raw["id_return_units"][0]
    assert decision_for(state.units[unit]["status"]) == Decision(decision)
    message = "Kratzer am Gehäuse" if action in ("reject", "clarify") else None
    assert patches(emu) == [(str(unit), action, message, 204)]


def test_reject_without_a_note_sends_the_configured_message(make_adapter, page_walker, state, emu):
    state.seed(1, units=1)
    adapter = make_adapter(reject_message="Ware beschädigt zurückgekommen.")
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "rejected"), ret.lines)
    assert patches(emu)[0][2] == "Ware beschädigt zurückgekommen."


def test_partial_quantity_decides_that_many_units_and_a_repush_sends_nothing(make_adapter, page_walker, state, emu):
    made = state.seed(1, units=3, same_product=True)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    assert ret.lines[0].quantity == 3
    adapter.push_decision(decide(ret, "accepted", quantity=2), ret.lines)
    adapter.push_decision(ret, ret.lines)  # again, as after a crash
    units = sorted(made["unit_ids"])
    assert [state.units[u]["status"] for u in units] == ["return_accepted", "return_accepted", "return_arrived"]
    assert [p[0] for p in patches(emu)] == [str(units[0]), str(units[1])]


def test_a_lost_answer_is_not_sent_twice(make_adapter, page_walker, state, emu):
    state.seed(1, units=1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    emu.faults.drop(path="/accept")
    with pytest.raises(TransientError):
        adapter.push_decision(decide(ret, "accepted"), ret.lines)
    adapter.push_decision(ret, ret.lines)
    assert len(patches(emu)) == 1
    assert state.units[ret.lines[0].raw["id_return_units"][0]]["status"] == "return_accepted"


def test_a_refused_transition_is_a_readable_permanent_error(make_adapter, page_walker, state, emu):
    state.seed(1, units=1, unit_status="need_to_be_returned", status="package_sent")
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    with pytest.raises(PermanentError, match="refused to reject return unit .* need_to_be_returned.*cannot be set"):
        adapter.push_decision(decide(ret, "rejected"), ret.lines)
    assert patches(emu)[0][3] == 403


def test_kept_and_cancelled_have_no_kaufland_action(make_adapter, page_walker, state):
    state.seed(1, units=1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    for decision in ("kept", "cancelled"):
        with pytest.raises(PermanentError, match="no action"):
            adapter.push_decision(decide(ret, decision), ret.lines)


@pytest.mark.parametrize("action, start, allowed", [
    ("accept", "need_to_be_returned", True), ("clarify", "need_to_be_returned", False),
    ("repair", "return_arrived", True), ("accept", "return_accepted", False), ("reject", "return_closed", False),
    ("clarify", "return_in_repair", True), ("repair", "return_in_repair", False)])
def test_emulator_transition_rules(make_adapter, state, action, start, allowed):
    unit = state.seed(1, units=1, unit_status=start)[0]["unit_ids"][0]
    adapter = make_adapter()
    if allowed:
        adapter.client.act(str(unit), action, "Bitte melden")
    else:
        with pytest.raises(PermanentError, match="403"):
            adapter.client.act(str(unit), action, "Bitte melden")


def test_emulator_wants_a_message_for_reject_and_clarify(make_adapter, state):
    unit = state.seed(1, units=1)[0]["unit_ids"][0]
    with pytest.raises(PermanentError, match="400: This value should not be blank"):
        make_adapter().client.act(str(unit), "clarify", "")
