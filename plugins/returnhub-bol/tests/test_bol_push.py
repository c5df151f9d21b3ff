"""Sending decisions to the emulator: one PUT per item, process status, and never twice."""
import pytest

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return


@pytest.fixture
def imported(emu, make_adapter, poll_all):
    """Seed one return, import it through the adapter and give it back as the core would."""
    def run(**seed):
        bol = emu.seed(1, **seed)[0]
        items, _ = poll_all(make_adapter())
        ret = load_return(next(i for i in items if i["external_id"] == bol["returnId"]))
        ret.connection_id = 1
        return ret
    return run


def _decide(line, decision, quantity=None):
    line.decision = Decision(decision)
    line.decision_quantity = quantity if quantity is not None else line.quantity
    return line


def _item(emu, rma_id):
    return emu.state.find_item(rma_id)[0]


def test_each_line_is_one_put_with_its_handling_result_and_quantity(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=3, quantity=3)
    accepted, rejected, exchanged = ret.lines
    lines = [_decide(accepted, "accepted", 2), _decide(rejected, "rejected"), _decide(exchanged, "exchanged", 1)]
    make_adapter().push_decision(ret, lines)
    assert [(p["rmaId"], p["handlingResult"], p["quantityReturned"]) for p in emu.puts()] == [
        (accepted.external_line_id, "RETURN_RECEIVED", 2),
        (rejected.external_line_id, "RETURN_DOES_NOT_MEET_CONDITIONS", 3),
        (exchanged.external_line_id, "EXCHANGE_PRODUCT", 1),
    ]
    item = _item(emu, accepted.external_line_id)
    assert item["handled"] and item["processingResults"][0]["quantity"] == 2  # 2 of 3 units accepted
    assert all(s["status"] == "SUCCESS" for s in emu.state.statuses.values())


def test_each_decision_reaches_bol_as_its_handling_result(emu, make_adapter, imported):
    expected = {"accepted": "RETURN_RECEIVED", "rejected": "RETURN_DOES_NOT_MEET_CONDITIONS",
                "repaired": "REPAIR_PRODUCT", "exchanged": "EXCHANGE_PRODUCT",
                "cancelled": "CUSTOMER_KEEPS_PRODUCT_PAID"}
    ret = imported(fulfilment="FBR", items=5, quantity=1)
    lines = [_decide(line, decision) for line, decision in zip(ret.lines, expected)]
    make_adapter().push_decision(ret, lines)
    assert [p["handlingResult"] for p in emu.puts()] == list(expected.values())


def test_pushing_again_sends_nothing(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "accepted")]
    make_adapter().push_decision(ret, lines)
    make_adapter().push_decision(ret, lines)
    assert len(emu.puts()) == 1


def test_crash_between_put_and_process_status_gives_exactly_one_handle(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=2)
    lines = [_decide(ret.lines[0], "accepted")]
    emu.hook("config", {"process_delay": 0.5})
    emu.hook("faults", {"status_unavailable": 4})  # every attempt of the core's client fails
    with pytest.raises(TransientError):
        make_adapter().push_decision(ret, lines)
    assert len(emu.puts()) == 1
    assert not _item(emu, ret.lines[0].external_line_id)["handled"]  # still PENDING at bol
    make_adapter().push_decision(ret, lines)  # the core's retry: finds the pending status, awaits it
    assert len(emu.puts()) == 1
    assert _item(emu, ret.lines[0].external_line_id)["handled"]


def test_a_lost_put_answer_is_not_resent_by_the_client_nor_the_adapter(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "rejected")]
    emu.hook("faults", {"lose_put_response": 1})
    with pytest.raises(TransientError):
        make_adapter().push_decision(ret, lines)
    assert len(emu.puts()) == 1
    make_adapter().push_decision(ret, lines)
    assert len(emu.puts()) == 1
    assert _item(emu, ret.lines[0].external_line_id)["processingResults"][0]["handlingResult"] == \
        "RETURN_DOES_NOT_MEET_CONDITIONS"


def test_a_failure_status_is_an_error_with_bols_message(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    rma = ret.lines[0].external_line_id
    emu.hook("faults", {"fail_rma": {rma: "Return item has already been handled by bol.com."}})
    with pytest.raises(PermanentError, match="already been handled by bol.com"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "accepted")])


def test_more_units_than_returned_fail_at_bol(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    with pytest.raises(PermanentError, match="exceeds the expected quantity"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "accepted", 2)])


def test_item_already_handled_otherwise_is_not_overwritten(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    make_adapter().push_decision(ret, [_decide(ret.lines[0], "exchanged")])
    with pytest.raises(PermanentError, match="already handled at bol as EXCHANGE_PRODUCT"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "rejected")])
    assert len(emu.puts()) == 1


def test_fbb_is_never_pushed(emu, make_adapter, imported):
    ret = imported(fulfilment="FBB", items=1, quantity=1)
    with pytest.raises(PermanentError, match="handled by bol"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "accepted")])
    assert emu.puts() == []


def test_kept_is_refused_or_sent_as_return_received_when_allowed(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "kept")]
    with pytest.raises(PermanentError, match="'kept'"):
        make_adapter().push_decision(ret, lines)
    assert emu.puts() == []
    make_adapter(approximate_kept=True).push_decision(ret, lines)
    assert [p["handlingResult"] for p in emu.puts()] == ["RETURN_RECEIVED"]


def test_token_expiry_during_a_push(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=2, quantity=1)
    adapter = make_adapter()
    adapter.push_decision(ret, [_decide(ret.lines[0], "accepted")])
    emu.hook("faults", {"expire_tokens": True})
    adapter.push_decision(ret, [_decide(ret.lines[1], "repaired")])
    assert [p["handlingResult"] for p in emu.puts()] == ["RETURN_RECEIVED", "REPAIR_PRODUCT"]


def test_rate_limit_storm_during_pushes_sends_each_item_once(emu, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=3, quantity=2)
    emu.hook("config", {"budget": {"requests": 3, "per_seconds": 1}})
    lines = [_decide(line, "accepted", 1) for line in ret.lines]
    make_adapter().push_decision(ret, lines)
    assert sorted(p["rmaId"] for p in emu.puts()) == sorted(line.external_line_id for line in ret.lines)
    assert any(r["status"] == 429 for r in emu.requests())
    assert all(_item(emu, line.external_line_id)["handled"] for line in ret.lines)
