"""The whole flow through the core: bol emulator -> hub pipeline -> the core's fake shop -> decision -> PUT at
bol -> process status. Real HTTP, real Redis, SQLite (and PostgreSQL when configured); only hub.testing."""
from __future__ import annotations

import os
import signal
import time

import pytest
from returnhub_bol.emulator import demo_orders

from hub.testing.flow import (
    connection_status,
    decide_in_fake_shop,
    find_return,
    problems,
    quarantined,
    settle,
    states,
    timeline,
)

fakeshop = pytest.importorskip(
    "returnhub_fakeshop.emulator",
    reason="full-flow tests need the core's test plugins: pip install -e tests/fixture_plugins/returnhub-testplugins")


def seed(emu, shop_emu, count=1, **kw) -> list[dict]:
    """Seed bol returns and put the orders behind them into the shop (as the demo does)."""
    made = emu.seed(count, **kw)
    fakeshop.seed_orders(shop_emu.app, demo_orders(emu.app))
    return made


def rmas(bol_return: dict) -> list[str]:
    return [i["rmaId"] for i in bol_return["returnItems"]]


def test_fbr_return_goes_to_the_shop_and_each_decided_item_is_sent_to_bol(hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=2, quantity=1)[0]
    rid, (first, second) = bol["returnId"], rmas(bol)
    assert settle(hub, cid) == {rid: "in_shop"}
    shop = next(iter(shop_emu.state["returns"].values()))
    assert set(shop["lines"]) == {first, second} and shop["status"] == "open"
    assert shop["order_id"] == f"SO-{bol['returnItems'][0]['orderId']}"

    decide_in_fake_shop(hub, shop_emu.url, rid, {first: ("accepted", 1)})
    assert settle(hub, cid, done=lambda: puts()) == {rid: "in_shop"}  # bol decides per item: the first goes at once
    assert puts() == [(first, "RETURN_RECEIVED", 1)]

    decide_in_fake_shop(hub, shop_emu.url, rid, {second: ("rejected", 1)})
    assert settle(hub, cid) == {rid: "pushed"}
    assert puts() == [(first, "RETURN_RECEIVED", 1), (second, "RETURN_DOES_NOT_MEET_CONDITIONS", 1)]
    assert {s["status"] for s in emu.state.statuses.values()} == {"SUCCESS"}
    assert [emu.state.find_item(r)[0]["processingResults"][0]["handlingResult"] for r in (first, second)] == \
        ["RETURN_RECEIVED", "RETURN_DOES_NOT_MEET_CONDITIONS"]
    assert timeline(hub, rid) == ["received", "in_shop", "decided", "pushed"]
    # handled at bol, the return leaves bol's unhandled list: the next rounds change and send nothing
    assert settle(hub, cid) == {rid: "pushed"} and len(puts()) == 2


def test_fbb_return_is_accepted_in_the_shop_and_never_sent(hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBB", items=2, quantity=3)[0]
    assert settle(hub, cid) == {bol["returnId"]: "closed_without_push"}
    assert [r["status"] for r in shop_emu.state["returns"].values()] == ["accepted"]
    ret = find_return(hub, bol["returnId"])
    assert ret.fulfilment.value == "marketplace" and ret.fulfilment_method == "FBB"
    assert [(line.decision.value, line.decision_quantity) for line in ret.lines] == [("accepted", 3)] * 2
    assert puts() == [] and not emu.ledger.find("PUT")


def test_partial_two_of_three_units_accepted(hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=3)[0]
    (rma,) = rmas(bol)
    settle(hub, cid)
    decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rma: ("accepted", 2)})
    assert settle(hub, cid) == {bol["returnId"]: "pushed"}
    assert puts() == [(rma, "RETURN_RECEIVED", 2)]
    (handled,) = emu.state.find_item(rma)[0]["processingResults"]
    assert (handled["quantity"], handled["handlingResult"]) == (2, "RETURN_RECEIVED")
    assert [(line.quantity, line.decision.value, line.decision_quantity)
            for line in find_return(hub, bol["returnId"]).lines] == [(3, "accepted", 2)]


def test_token_expiry_mid_run_renews_once_and_loses_nothing(hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection(import_fbb=False)
    seeded = seed(emu, shop_emu, 3, fulfilment="FBR", items=1, quantity=1)
    emu.faults.inject(401, path="/retailer/returns/")  # the token dies between the list and the details
    assert set(settle(hub, cid).values()) == {"in_shop"}
    assert emu.emulation.token_endpoint.calls == 2
    for bol in seeded:
        decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rmas(bol)[0]: ("repaired", 1)})
    emu.emulation.tokens.expire_all()  # and again before the pushes
    assert set(settle(hub, cid).values()) == {"pushed"}
    assert sorted(puts()) == sorted((rmas(b)[0], "REPAIR_PRODUCT", 1) for b in seeded)
    assert [s.status for s in emu.faults.seen if s.status == 401] == [401, 401]  # one injected, one expired
    assert emu.emulation.token_endpoint.calls == 3
    assert connection_status(hub, cid) == "active"


def test_rate_limit_storm_is_waited_out_nothing_lost_nothing_sent_twice(
        hub, emu, puts, shop_emu, bol_connection, fake_clock):
    cid = bol_connection()
    fbr = seed(emu, shop_emu, 2, fulfilment="FBR", items=1, quantity=2)
    fbb = seed(emu, shop_emu, 1, fulfilment="FBB", items=1)
    # bol allows 3 requests a second, the hub's own limit is 10: bursts run into 429 + Retry-After
    emu.emulation.limit("*", 3, 1)
    settle(hub, cid, done=lambda: len(states(hub)) == 3 and "received" not in states(hub).values())
    for bol in fbr:
        decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rmas(bol)[0]: ("accepted", 2)})
    assert settle(hub, cid, done=lambda: set(states(hub).values()) <= {"pushed", "closed_without_push"}) == \
        {**{b["returnId"]: "pushed" for b in fbr}, fbb[0]["returnId"]: "closed_without_push"}
    assert sorted(puts()) == sorted((rmas(b)[0], "RETURN_RECEIVED", 2) for b in fbr)  # each exactly once
    assert any(r.status == 429 for r in emu.ledger.entries)
    assert len(shop_emu.state["creates"]) == 3 and quarantined(hub, cid) == {}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked worker")
def test_crash_between_put_and_process_status_gives_exactly_one_handle(
        hub, emu, puts, shop_emu, bol_connection, fake_clock):
    """A worker dies (SIGKILL) after bol took the PUT, while it waits on the process status."""
    cid = bol_connection(process_status_timeout=36000)  # the worker would wait for hours
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=2)[0]
    (rma,) = rmas(bol)
    settle(hub, cid)
    decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rma: ("exchanged", 2)})
    emu.state.process_delay = 60  # bol is slow: the worker sits polling the status

    pid = os.fork()
    if pid == 0:  # the worker that will die
        try:
            settle(hub, cid, poll=False, timeout=60)
        finally:
            os._exit(0)
    try:
        deadline = time.monotonic() + 20
        while not emu.ledger.find("GET", "/shared/process-status/"):
            assert time.monotonic() < deadline, "the worker never looked at the process status"
            time.sleep(0.02)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    assert puts() == [(rma, "EXCHANGE_PRODUCT", 2)] and states(hub) == {bol["returnId"]: "decided"}
    fake_clock.advance(hub.config.claim_seconds + 61)  # the dead worker's lease runs out; bol has processed
    assert settle(hub, cid, poll=False, done=lambda: states(hub) == {bol["returnId"]: "pushed"})
    assert puts() == [(rma, "EXCHANGE_PRODUCT", 2)]  # exactly one handle at bol
    assert len(emu.state.find_item(rma)[0]["processingResults"]) == 1


def test_lost_put_answer_is_looked_up_not_resent(hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=1)[0]
    (rma,) = rmas(bol)
    settle(hub, cid)
    decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rma: ("cancelled", 1)})
    emu.faults.drop(method="PUT")  # bol takes the PUT, the answer never arrives
    assert settle(hub, cid, done=lambda: states(hub) == {bol["returnId"]: "pushed"})
    assert [s.fault for s in emu.faults.seen if s.method == "PUT"] == ["drop"]  # the only PUT lost its answer
    assert puts() == [(rma, "CUSTOMER_KEEPS_PRODUCT_PAID", 1)]


def test_malformed_items_are_quarantined_with_a_reason_and_the_rest_imported(hub, emu, shop_emu, bol_connection):
    cid = bol_connection()
    good = seed(emu, shop_emu, 2, fulfilment="FBR")
    template = emu.seed(1, fulfilment="FBR", items=1)[0]
    emu.state.returns.pop(template["returnId"])
    item = template["returnItems"][0]
    emu.state.add_raw({**template, "returnId": "900", "returnItems": [dict(item, rmaId=None)]})
    emu.state.add_raw({**template, "returnId": "901", "returnItems": [dict(item, rmaId="31999901",
                                                                            expectedQuantity="two")]})
    emu.state.add_raw({**template, "returnId": "902", "returnItems": [dict(item, rmaId="31999902",
                                                                            expectedQuantity=-1)]})
    emu.state.add_raw({**template, "returnId": "903", "fulfilmentMethod": "FBX",
                       "returnItems": [dict(item, rmaId="31999903")]}, listed_as="FBR")
    odd = dict(item, rmaId="31999904", processingResults=[
        {"quantity": 1, "processingResult": "ACCEPTED", "handlingResult": "RETURN_RECEIVED_AND_INSPECTED",
         "processingDateTime": "2024-04-17T10:55:37+02:00"}])
    emu.state.add_raw({**template, "returnId": "904", "returnItems": [odd]})
    fakeshop.seed_orders(shop_emu.app, demo_orders(emu.app))

    assert settle(hub, cid) == {**{g["returnId"]: "in_shop" for g in good}, "904": "in_shop"}
    reasons = quarantined(hub, cid)
    assert len(reasons) == 4
    assert "no rmaId" in reasons["900"]
    assert "expectedQuantity 'two'" in reasons["901"]
    assert "expectedQuantity -1" in reasons["902"]
    assert "unknown fulfilmentMethod 'FBX'" in reasons["903"]
    flagged = find_return(hub, "904")  # an undocumented bol value: kept raw, flagged, imported
    assert flagged.flags == ["unknown_handling_result:RETURN_RECEIVED_AND_INSPECTED"]
    assert flagged.lines[0].raw["processingResults"][0]["handlingResult"] == "RETURN_RECEIVED_AND_INSPECTED"
    settle(hub, cid)  # bol lists them again on the next polls: nothing new, nothing twice
    assert len(states(hub)) == 3 and len(quarantined(hub, cid)) == 4


def test_failure_process_status_puts_the_return_in_needs_attention_with_bols_message(
        hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=1)[0]
    (rma,) = rmas(bol)
    settle(hub, cid)
    message = "Return item has been handled already via the bol.com seller dashboard."
    emu.state.fail_rma[rma] = message
    decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rma: ("accepted", 1)})
    assert settle(hub, cid) == {bol["returnId"]: "needs_attention"}
    noted = problems(hub, bol["returnId"])
    assert message in noted["attention_reason"] and "RETURN_RECEIVED" in noted["attention_reason"]
    assert [s["status"] for s in emu.state.statuses.values()] == ["FAILURE"]
    assert len(puts()) == 1  # a failure for good is not retried on its own


def test_kept_is_refused_with_a_clear_reason(hub, emu, puts, shop_emu, bol_connection):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=1)[0]
    settle(hub, cid)
    decide_in_fake_shop(hub, shop_emu.url, bol["returnId"], {rmas(bol)[0]: ("kept", 1)})
    assert settle(hub, cid) == {bol["returnId"]: "needs_attention"}
    assert "does not take 'kept'" in problems(hub, bol["returnId"])["attention_reason"]
    assert puts() == []
