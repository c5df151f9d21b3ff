"""Sending decisions to the emulator: one PUT per item, process status, and never twice."""
import pytest

from hub.errors import PermanentError, TransientError
from hub.model import Decision, load_return


@pytest.fixture
def imported(emu, make_adapter, page_walker):
    """Seed one return, import it through the adapter and give it back as the core would."""
    def run(**seed):
        bol = emu.seed(1, **seed)[0]
        items = page_walker(make_adapter()).items
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


def test_each_line_is_one_put_with_its_handling_result_and_quantity(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=3, quantity=3)
    accepted, rejected, exchanged = ret.lines
    lines = [_decide(accepted, "accepted", 2), _decide(rejected, "rejected"), _decide(exchanged, "exchanged", 1)]
    make_adapter().push_decision(ret, lines)
    assert puts() == [
        (accepted.external_line_id, "RETURN_RECEIVED", 2),
        (rejected.external_line_id, "RETURN_DOES_NOT_MEET_CONDITIONS", 3),
        (exchanged.external_line_id, "EXCHANGE_PRODUCT", 1),
    ]
    item = _item(emu, accepted.external_line_id)
    assert item["handled"] and item["processingResults"][0]["quantity"] == 2  # 2 of 3 units accepted
    assert all(s["status"] == "SUCCESS" for s in emu.state.statuses.values())


def test_each_decision_reaches_bol_as_its_handling_result(emu, puts, make_adapter, imported):
    expected = {"accepted": "RETURN_RECEIVED", "rejected": "RETURN_DOES_NOT_MEET_CONDITIONS",
                "repaired": "REPAIR_PRODUCT", "exchanged": "EXCHANGE_PRODUCT",
                "cancelled": "CUSTOMER_KEEPS_PRODUCT_PAID"}
    ret = imported(fulfilment="FBR", items=5, quantity=1)
    lines = [_decide(line, decision) for line, decision in zip(ret.lines, expected)]
    make_adapter().push_decision(ret, lines)
    assert [p[1] for p in puts()] == list(expected.values())


def test_pushing_again_sends_nothing(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "accepted")]
    make_adapter().push_decision(ret, lines)
    make_adapter().push_decision(ret, lines)
    assert len(puts()) == 1


def test_crash_between_put_and_process_status_gives_exactly_one_handle(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=2)
    lines = [_decide(ret.lines[0], "accepted")]
    emu.state.process_delay = 0.5
    emu.faults.inject(503, count=4, path="/shared/process-status/")  # every attempt of the core's client fails
    with pytest.raises(TransientError):
        make_adapter().push_decision(ret, lines)
    assert len(puts()) == 1
    assert not _item(emu, ret.lines[0].external_line_id)["handled"]  # still PENDING at bol
    make_adapter().push_decision(ret, lines)  # the core's retry: finds the pending status, awaits it
    assert len(puts()) == 1
    assert _item(emu, ret.lines[0].external_line_id)["handled"]


def test_a_lost_put_answer_is_not_resent_by_the_client_nor_the_adapter(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "rejected")]
    emu.faults.drop(method="PUT")  # bol takes the PUT, the answer never arrives
    with pytest.raises(TransientError):
        make_adapter().push_decision(ret, lines)
    assert len(puts()) == 1
    make_adapter().push_decision(ret, lines)
    assert len(puts()) == 1
    assert _item(emu, ret.lines[0].external_line_id)["processingResults"][0]["handlingResult"] == \
        "RETURN_DOES_NOT_MEET_CONDITIONS"


def test_a_failure_status_is_an_error_with_bols_message(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    rma = ret.lines[0].external_line_id
    emu.state.fail_rma[rma] = "Return item has already been handled by bol.com."
    with pytest.raises(PermanentError, match="already been handled by bol.com"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "accepted")])


def test_more_units_than_returned_fail_at_bol(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    with pytest.raises(PermanentError, match="exceeds the expected quantity"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "accepted", 2)])


def test_item_already_handled_otherwise_is_not_overwritten(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    make_adapter().push_decision(ret, [_decide(ret.lines[0], "exchanged")])
    with pytest.raises(PermanentError, match="already handled at bol as EXCHANGE_PRODUCT"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "rejected")])
    assert len(puts()) == 1


def test_fbb_is_never_pushed(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBB", items=1, quantity=1)
    with pytest.raises(PermanentError, match="handled by bol"):
        make_adapter().push_decision(ret, [_decide(ret.lines[0], "accepted")])
    assert puts() == []


def test_kept_is_refused_or_sent_as_return_received_when_allowed(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "kept")]
    with pytest.raises(PermanentError, match="'kept'"):
        make_adapter().push_decision(ret, lines)
    assert puts() == []
    make_adapter(approximate_kept=True).push_decision(ret, lines)
    assert [p[1] for p in puts()] == ["RETURN_RECEIVED"]


def test_token_expiry_during_a_push(emu, puts, make_adapter, imported):
    ret = imported(fulfilment="FBR", items=2, quantity=1)
    adapter = make_adapter()
    adapter.push_decision(ret, [_decide(ret.lines[0], "accepted")])
    emu.emulation.tokens.expire_all()
    adapter.push_decision(ret, [_decide(ret.lines[1], "repaired")])
    assert [p[1] for p in puts()] == ["RETURN_RECEIVED", "REPAIR_PRODUCT"]


def test_rate_limit_storm_during_pushes_sends_each_item_once(emu, puts, make_adapter, imported, fake_clock):
    ret = imported(fulfilment="FBR", items=3, quantity=2)
    emu.emulation.limit("*", 3, 1)
    lines = [_decide(line, "accepted", 1) for line in ret.lines]
    make_adapter().push_decision(ret, lines)
    assert sorted(p[0] for p in puts()) == sorted(line.external_line_id for line in ret.lines)
    assert any(r.status == 429 for r in emu.ledger.entries)
    assert all(_item(emu, line.external_line_id)["handled"] for line in ret.lines)


def test_a_timeout_status_is_retried_and_sent_again(emu, puts, make_adapter, imported):
    """TIMEOUT: bol did not process the handling; the retry finds the item open and sends it again."""
    ret = imported(fulfilment="FBR", items=1, quantity=1)
    lines = [_decide(ret.lines[0], "accepted")]
    emu.state.timeout_rma.add(ret.lines[0].external_line_id)
    with pytest.raises(TransientError, match="ended TIMEOUT"):
        make_adapter().push_decision(ret, lines)
    make_adapter().push_decision(ret, lines)
    assert [p[1] for p in puts()] == ["RETURN_RECEIVED"] * 2
    assert len(_item(emu, ret.lines[0].external_line_id)["processingResults"]) == 1


def test_an_expired_process_status_is_settled_by_the_item_itself(emu, puts, make_adapter, imported):
    """A status deleted while the adapter waits (404): the item says whether the handling went through."""
    ret = imported(fulfilment="FBR", items=2, quantity=1)
    done, lost = ret.lines
    emu.state.status_retention = emu.state.process_delay = 0  # done and forgotten before the adapter looks
    make_adapter().push_decision(ret, [_decide(done, "repaired")])
    assert _item(emu, done.external_line_id)["handled"] and len(puts()) == 1
    assert [r.status for r in emu.ledger.find("GET", "/shared/process-status")][-1] == 404
    emu.state.timeout_rma.add(lost.external_line_id)  # not applied, then forgotten
    with pytest.raises(TransientError, match="expired"):
        make_adapter().push_decision(ret, [_decide(lost, "rejected")])
    make_adapter().push_decision(ret, [_decide(lost, "rejected")])  # the retry sends it again
    assert [p[1] for p in puts()] == ["REPAIR_PRODUCT", "RETURN_DOES_NOT_MEET_CONDITIONS",
                                      "RETURN_DOES_NOT_MEET_CONDITIONS"]
