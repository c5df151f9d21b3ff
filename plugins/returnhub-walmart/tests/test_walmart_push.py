"""Refunds at the adapter: full and partial quantities, a repeated push or a lost answer never refunds twice,
Walmart's refusals as readable permanent errors, and decisions Walmart cannot take."""
from __future__ import annotations

import pytest

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return


def fetched(adapter, page_walker):
    """The fetched returns as the core hands them to push_decision."""
    rets = [load_return(i) for i in page_walker(adapter).items]
    for n, ret in enumerate(rets, start=1):
        ret.id, ret.connection_id = n, 1
    return rets


def decide(ret, decision, quantity=None):
    for line in ret.lines:
        line.decision, line.decision_quantity = Decision(decision), quantity
    return ret


def refunds(emu):
    return [e for e in emu.ledger.entries if e.method == "POST" and e.path.endswith("/refund")]


def test_accept_refunds_every_unit_of_every_line(make_adapter, page_walker, state, emu):
    ret = state.seed(1, lines=2, quantity=2)[0]
    adapter = make_adapter()
    [got] = fetched(adapter, page_walker)
    adapter.push_decision(decide(got, "accepted"), got.lines)
    assert [line["refundedQty"] for line in ret["returnOrderLines"]] == [2, 2]
    assert {line["status"] for line in ret["returnOrderLines"]} == {"COMPLETED"}
    [sent] = refunds(emu)
    assert sent.body == {"customerOrderId": ret["customerOrderId"], "refundLines": [
        {"returnOrderLineNumber": 1, "quantity": {"unitOfMeasure": "EACH", "measurementValue": 2}},
        {"returnOrderLineNumber": 2, "quantity": {"unitOfMeasure": "EACH", "measurementValue": 2}}]}
    assert sent.headers.get("Wm-Sec.Access-Token") and sent.headers.get("Wm-Qos.Correlation-Id")


def test_partial_quantity_refunds_that_many_and_a_repush_sends_nothing(make_adapter, page_walker, state, emu):
    ret = state.seed(1, lines=1, quantity=3)[0]
    adapter = make_adapter()
    [got] = fetched(adapter, page_walker)
    adapter.push_decision(decide(got, "accepted", quantity=2), got.lines)
    adapter.push_decision(got, got.lines)  # again, as after a crash
    line = ret["returnOrderLines"][0]
    assert (line["refundedQty"], line["status"]) == (2, "DELIVERED")
    assert len(refunds(emu)) == 1


def test_units_refunded_before_the_import_are_not_counted_twice(make_adapter, page_walker, state, emu):
    ret = state.seed(1, lines=1, quantity=3)[0]
    ret["returnOrderLines"][0]["refundedQty"] = 1
    adapter = make_adapter()
    [got] = fetched(adapter, page_walker)
    assert got.lines[0].quantity == 2
    adapter.push_decision(decide(got, "accepted"), got.lines)
    assert ret["returnOrderLines"][0]["refundedQty"] == 3
    assert refunds(emu)[0].body["refundLines"][0]["quantity"]["measurementValue"] == 2


def test_a_lost_answer_is_not_refunded_twice(make_adapter, page_walker, state, emu):
    ret = state.seed(1, lines=1, quantity=1)[0]
    adapter = make_adapter()
    [got] = fetched(adapter, page_walker)
    emu.faults.drop(path="/refund")
    with pytest.raises(TransientError):
        adapter.push_decision(decide(got, "accepted"), got.lines)
    adapter.push_decision(got, got.lines)
    assert len(refunds(emu)) == 1 and ret["returnOrderLines"][0]["refundedQty"] == 1


def test_a_refused_refund_is_a_readable_permanent_error(make_adapter, page_walker, state, emu):
    ret = state.seed(1, lines=1, quantity=2)[0]
    adapter = make_adapter()
    [got] = fetched(adapter, page_walker)
    ret["returnOrderLines"][0]["status"] = "CANCELLED"  # the customer cancelled the return meanwhile
    with pytest.raises(PermanentError, match="refused the refund of return order .*line 1: 2.*is cancelled"):
        adapter.push_decision(decide(got, "accepted"), got.lines)
    assert refunds(emu)[0].status == 400 and ret["returnOrderLines"][0]["refundedQty"] == 0


@pytest.mark.parametrize("decision", ["rejected", "repaired", "exchanged", "kept", "cancelled"])
def test_decisions_walmart_cannot_take_send_nothing(make_adapter, page_walker, state, emu, decision):
    state.seed(1, lines=1)
    adapter = make_adapter()
    [got] = fetched(adapter, page_walker)
    with pytest.raises(PermanentError, match="Walmart has no action"):
        adapter.push_decision(decide(got, decision), got.lines)
    assert refunds(emu) == []
