"""Decisions at the adapter: refunds by quantity with a commandId, the check before re-sending, rejection codes,
what Allegro cannot express, and the emulator's refusals (unknown code, over-quantity, reused commandId)."""
from __future__ import annotations

import pytest
from returnhub_allegro.adapter import AllegroMarketplace
from returnhub_allegro.client import Refused

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return


def fetched(adapter, page_walker):
    rets = [load_return(i) for i in page_walker(adapter).items]
    for n, ret in enumerate(rets, start=1):
        ret.id, ret.connection_id = n, 1
    return rets


def decide(ret, decision, quantity=None, note=None):
    for line in ret.lines:
        line.decision, line.decision_quantity, line.decision_note = Decision(decision), quantity, note
    return ret


def refund_posts(emu):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path == "/payments/refunds"]


def test_accept_refunds_every_line_and_a_repush_sends_nothing(make_adapter, page_walker, state, emu):
    made = state.seed(1, items=2, quantity=2)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "accepted"), ret.lines)
    adapter.push_decision(ret, ret.lines)  # again, as after a crash
    [post] = refund_posts(emu)
    assert post.headers["Content-Type"] == "application/vnd.allegro.public.v1+json"
    assert post.body["reason"] == "REFUND" and post.body["commandId"]
    assert sorted((li["id"], li["quantity"]) for li in post.body["lineItems"]) == sorted(
        (line.external_line_id, 2) for line in ret.lines)
    assert state.returns[made["id"]]["status"] == "FINISHED"


def test_a_lost_refund_answer_is_checked_before_sending_again(adapter_factory, settings, page_walker, state, emu):
    state.seed(1)
    adapter = adapter_factory(AllegroMarketplace, settings, retries=0)
    [ret] = fetched(adapter, page_walker)
    emu.faults.drop(path="/payments/refunds", method="POST")
    with pytest.raises(TransientError):
        adapter.push_decision(decide(ret, "accepted"), ret.lines)
    adapter.push_decision(ret, ret.lines)
    assert len(refund_posts(emu)) == 1 and len(state.refunds) == 1


def test_a_resent_command_is_the_same_refund(make_adapter, page_walker, state):
    state.seed(1, quantity=2)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    from returnhub_allegro.mapping import refund_body
    body = refund_body(ret, {ret.lines[0].external_line_id: 1}, ret.raw["paymentId"])
    first, again = adapter.client.refund(body), adapter.client.refund(body)
    assert first["id"] == again["id"] and len(state.refunds) == 1
    with pytest.raises(Refused, match="422.*commandId"):
        adapter.client.refund({**body, "lineItems": [{**body["lineItems"][0], "quantity": 2}]})


def test_a_refund_above_the_returned_quantity_is_refused(make_adapter, page_walker, state):
    state.seed(1, quantity=1, ordered_extra=2)  # three bought, one returned
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    ret.lines[0].quantity = 2  # the hub believes two came back: Allegro knows better
    with pytest.raises(PermanentError, match="refused the refund.*2 to refund but only 1 returned"):
        adapter.push_decision(decide(ret, "accepted", quantity=2), ret.lines)
    assert state.refunds == {}


@pytest.mark.parametrize("note, code, reason", [
    (None, "REFUND_REJECTED", "The returned item does not meet the return conditions."),
    ("Rysy na obudowie", "REFUND_REJECTED", "Rysy na obudowie"),
    ("ITEM_MISMATCH: to nie nasz towar", "ITEM_MISMATCH", "to nie nasz towar"),
    ("no_return_right:", "NO_RETURN_RIGHT", None)])
def test_reject_sends_a_documented_code(make_adapter, page_walker, state, emu, note, code, reason):
    made = state.seed(1)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    adapter.push_decision(decide(ret, "rejected", note=note), ret.lines)
    adapter.push_decision(ret, ret.lines)  # already rejected: nothing sent
    rejection = state.returns[made["id"]]["rejection"]
    assert (rejection["code"], rejection.get("reason")) == (code, reason)
    assert len([e for e in emu.ledger.entries if e.path.endswith("/rejection")]) == 1


def test_the_emulator_refuses_an_unknown_rejection_code_and_a_missing_reason(make_adapter, state):
    made = state.seed(1)[0]
    adapter = make_adapter()
    with pytest.raises(Refused, match="400.*Unknown rejection code 'ITEM_BROKEN'"):
        adapter.client.reject(made["id"], "ITEM_BROKEN", "zepsute")
    with pytest.raises(Refused, match="400.*reason is required"):
        adapter.client.reject(made["id"], "REFUND_REJECTED", None)
    assert state.returns[made["id"]]["status"] == "DELIVERED"


@pytest.mark.parametrize("decision", ["repaired", "exchanged", "kept", "cancelled"])
def test_what_allegro_cannot_express_is_a_readable_permanent_error(make_adapter, page_walker, state, emu, decision):
    state.seed(1)
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    with pytest.raises(PermanentError, match=f"no way to record '{decision}'"):
        adapter.push_decision(decide(ret, decision), ret.lines)
    assert not [e for e in emu.ledger.entries if e.method == "POST" and not e.path.startswith("/auth/")]


def test_mixed_decisions_refund_the_accepted_lines_only(make_adapter, page_walker, state, emu):
    made = state.seed(1, items=2)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    ret.lines[0].decision, ret.lines[1].decision = Decision.ACCEPTED, Decision.REJECTED
    adapter.push_decision(ret, ret.lines)
    [refund] = state.refunds.values()
    assert [li["id"] for li in refund["lineItems"]] == [ret.lines[0].external_line_id]
    assert "rejection" not in state.returns[made["id"]]


def test_a_rejected_return_is_not_refunded(make_adapter, page_walker, state):
    made = state.seed(1)[0]
    adapter = make_adapter()
    [ret] = fetched(adapter, page_walker)
    state.returns[made["id"]]["status"] = "REJECTED"
    with pytest.raises(PermanentError, match="rejected already"):
        adapter.push_decision(decide(ret, "accepted"), ret.lines)
    assert state.refunds == {}
