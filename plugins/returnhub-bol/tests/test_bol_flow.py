"""The whole flow through the core: bol emulator -> hub jobs -> the core's fake shop -> decision ->
PUT at bol -> process status. Real HTTP, real Redis, SQLite (and PostgreSQL when configured)."""
from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import httpx
import pytest
from returnhub_bol.emulator import demo_orders
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from hub import clock
from hub.db import Connection, QuarantinedItem, ReturnEvent, ReturnRow
from hub.sync import jobs

fakeshop = pytest.importorskip(
    "returnhub_fakeshop.emulator",
    reason="full-flow tests need the core's test plugins: pip install -e tests/fixture_plugins/returnhub-testplugins")


# -- helpers ------------------------------------------------------------------------------------

def seed(emu, shop_emu, count=1, **kw) -> list[dict]:
    """Seed bol returns and put the orders behind them into the shop (as the demo does)."""
    made = emu.seed(count, **kw)
    fakeshop.seed_orders(shop_emu.app, demo_orders(emu.server.app))
    return made


def states(hub) -> dict[str, str]:
    with hub.session() as s:
        return dict(s.execute(select(ReturnRow.external_id, ReturnRow.state)).all())


def row(hub, external_id: str) -> ReturnRow:
    with hub.session() as s:
        found = s.scalar(select(ReturnRow).options(selectinload(ReturnRow.lines))
                         .where(ReturnRow.external_id == external_id))
        s.expunge_all()
        return found


def decide(hub, shop_emu, external_id: str, lines: dict[str, tuple[str, int]]) -> None:
    """The merchant decides in the shop: {rmaId: (decision, units)}."""
    shop_id = row(hub, external_id).shop_return_id
    resp = httpx.post(f"{shop_emu.url}/_emulator/returns/{shop_id}/decide",
                      json={"lines": {rma: list(d) for rma, d in lines.items()}})
    resp.raise_for_status()


def import_all(hub, drain, cid) -> dict:
    result = jobs.poll_marketplace(cid)
    drain()
    return result


def decisions_to_bol(drain, cid) -> None:
    jobs.poll_decisions(cid)
    drain()


def puts(emu) -> list[tuple[str, str, int]]:
    return [(p["rmaId"], p["handlingResult"], p["quantityReturned"]) for p in emu.puts()]


def rmas(bol_return: dict) -> list[str]:
    return [i["rmaId"] for i in bol_return["returnItems"]]


def settle(hub, drain, cid, done, poll=False, timeout=30.0) -> None:
    """Run the scheduled work (a marketplace poll when ``poll``, the reconciler, the decision poll)
    until ``done()`` or the timeout, letting retries come due: what the scheduler does, only faster."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"not settled: {states(hub)}"
        if poll:
            jobs.poll_marketplace(cid)
        jobs.reconcile()
        drain()
        jobs.poll_decisions(cid)
        drain()
        clock.sleep(0.1)  # retries come due (a fake clock in force just moves on)


# -- the flow -----------------------------------------------------------------------------------

def test_fbr_return_goes_to_the_shop_and_each_decided_item_is_sent_to_bol(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=2, quantity=1)[0]
    first, second = rmas(bol)
    assert import_all(hub, drain, cid)["new"] == 1
    assert states(hub) == {bol["returnId"]: "in_shop"}
    shop = next(iter(shop_emu.state["returns"].values()))
    assert set(shop["lines"]) == {first, second} and shop["status"] == "open"
    assert shop["order_id"] == f"SO-{bol['returnItems'][0]['orderId']}"

    decide(hub, shop_emu, bol["returnId"], {first: ("accepted", 1)})
    decisions_to_bol(drain, cid)  # bol decides per item: the first item goes at once
    assert puts(emu) == [(first, "RETURN_RECEIVED", 1)]
    assert states(hub) == {bol["returnId"]: "in_shop"}

    decide(hub, shop_emu, bol["returnId"], {second: ("rejected", 1)})
    decisions_to_bol(drain, cid)
    assert puts(emu) == [(first, "RETURN_RECEIVED", 1), (second, "RETURN_DOES_NOT_MEET_CONDITIONS", 1)]
    assert {s["status"] for s in emu.state.statuses.values()} == {"SUCCESS"}
    assert [emu.state.find_item(r)[0]["processingResults"][0]["handlingResult"] for r in (first, second)] == \
        ["RETURN_RECEIVED", "RETURN_DOES_NOT_MEET_CONDITIONS"]
    ret = row(hub, bol["returnId"])
    assert ret.state == "pushed" and all(line.pushed_at for line in ret.lines)
    with hub.session() as s:
        timeline = list(s.scalars(select(ReturnEvent.to_state).where(ReturnEvent.return_id == ret.id)
                                  .order_by(ReturnEvent.id)))
    assert timeline == ["received", "in_shop", "decided", "pushed"]

    # handled at bol, the return leaves bol's unhandled list: the next rounds change and send nothing
    jobs.poll_marketplace(cid)
    jobs.reconcile()
    decisions_to_bol(drain, cid)
    assert len(emu.puts()) == 2 and states(hub) == {bol["returnId"]: "pushed"}


def test_fbb_return_is_accepted_in_the_shop_and_never_sent(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBB", items=2, quantity=3)[0]
    import_all(hub, drain, cid)
    assert states(hub) == {bol["returnId"]: "closed_without_push"}
    assert [r["status"] for r in shop_emu.state["returns"].values()] == ["accepted"]
    ret = row(hub, bol["returnId"])
    assert ret.fulfilment == "marketplace" and ret.fulfilment_method == "FBB"
    assert [(line.decision, line.decision_quantity) for line in ret.lines] == [("accepted", 3)] * 2
    decisions_to_bol(drain, cid)
    jobs.push_decisions(cid)
    jobs.reconcile()
    drain()
    assert emu.puts() == [] and not any(r["method"] == "PUT" for r in emu.requests())
    assert states(hub) == {bol["returnId"]: "closed_without_push"}


def test_partial_two_of_three_units_accepted(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=3)[0]
    (rma,) = rmas(bol)
    import_all(hub, drain, cid)
    decide(hub, shop_emu, bol["returnId"], {rma: ("accepted", 2)})
    decisions_to_bol(drain, cid)
    assert puts(emu) == [(rma, "RETURN_RECEIVED", 2)]
    (handled,) = emu.state.find_item(rma)[0]["processingResults"]
    assert (handled["quantity"], handled["handlingResult"]) == (2, "RETURN_RECEIVED")
    ret = row(hub, bol["returnId"])
    assert ret.state == "pushed"
    assert [(line.quantity, line.decision, line.decision_quantity) for line in ret.lines] == [(3, "accepted", 2)]


def test_token_expiry_mid_run_renews_once_and_loses_nothing(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection(import_fbb=False)
    seeded = seed(emu, shop_emu, 3, fulfilment="FBR", items=1, quantity=1)
    emu.hook("faults", {"expire_tokens_after": 2})  # the list and one detail, then the token dies
    assert import_all(hub, drain, cid)["new"] == 3
    assert emu.hook("ledger")["token_requests"] == 2
    assert sum(r["status"] == 401 for r in emu.requests()) == 1
    for bol in seeded:
        decide(hub, shop_emu, bol["returnId"], {rmas(bol)[0]: ("repaired", 1)})
    emu.hook("faults", {"expire_tokens_after": 3})  # dies again in the middle of the pushes
    decisions_to_bol(drain, cid)
    assert set(states(hub).values()) == {"pushed"}
    assert sorted(puts(emu)) == sorted((rmas(b)[0], "REPAIR_PRODUCT", 1) for b in seeded)
    assert sum(r["status"] == 401 for r in emu.requests()) >= 2
    with hub.session() as s:
        assert s.get(Connection, cid).status == "active"


def test_rate_limit_storm_is_waited_out_nothing_lost_nothing_sent_twice(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    fbr = seed(emu, shop_emu, 2, fulfilment="FBR", items=1, quantity=2)
    fbb = seed(emu, shop_emu, 1, fulfilment="FBB", items=1)
    # bol allows 3 requests a second, the hub's own limit is 10: bursts run into 429 + Retry-After
    emu.hook("config", {"budget": {"requests": 3, "per_seconds": 1}})
    settle(hub, drain, cid, lambda: len(states(hub)) == 3 and "received" not in states(hub).values(),
           poll=True)
    for bol in fbr:
        decide(hub, shop_emu, bol["returnId"], {rmas(bol)[0]: ("accepted", 2)})
    settle(hub, drain, cid, lambda: set(states(hub).values()) <= {"pushed", "closed_without_push"})
    assert states(hub) == {**{b["returnId"]: "pushed" for b in fbr}, fbb[0]["returnId"]: "closed_without_push"}
    assert sorted(puts(emu)) == sorted((rmas(b)[0], "RETURN_RECEIVED", 2) for b in fbr)  # each exactly once
    assert 429 in [r["status"] for r in emu.requests()]
    assert len(shop_emu.state["creates"]) == 3
    with hub.session() as s:
        assert s.scalar(select(QuarantinedItem.id)) is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked worker")
def test_crash_between_put_and_process_status_gives_exactly_one_handle(hub, emu, shop_emu, bol_connection, drain):
    """A worker dies (SIGKILL) after bol took the PUT, while it waits on the process status."""
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=2)[0]
    (rma,) = rmas(bol)
    import_all(hub, drain, cid)
    decide(hub, shop_emu, bol["returnId"], {rma: ("exchanged", 2)})
    emu.hook("config", {"process_delay": 60})  # bol is slow: the worker sits polling the status
    jobs.poll_decisions(cid)  # records the decision (the queued push is left for later)

    pid = os.fork()
    if pid == 0:  # the worker that will die
        try:
            jobs.push_decisions(cid)
        finally:
            os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while not emu.puts():
            assert time.monotonic() < deadline, "the worker sent no PUT"
            time.sleep(0.02)
        while not any(r["path"].startswith("/shared/process-status/") for r in emu.requests()):
            assert time.monotonic() < deadline, "the worker never looked at the process status"
            time.sleep(0.02)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    ret = row(hub, bol["returnId"])
    assert ret.state == "decided" and ret.claim_token and not ret.lines[0].pushed_at
    with hub.session() as s:  # the dead worker's lease runs out; bol finishes the processing soon
        s.execute(update(ReturnRow).values(claimed_until=clock.now() - timedelta(seconds=1)))
    with emu.state.lock:
        for status in emu.state.statuses.values():
            status["_due"] = clock.monotonic() + 0.3
    jobs.reconcile()
    drain()
    assert puts(emu) == [(rma, "EXCHANGE_PRODUCT", 2)]  # exactly one handle at bol
    assert emu.state.find_item(rma)[0]["processingResults"][0]["quantity"] == 2
    assert len(emu.state.find_item(rma)[0]["processingResults"]) == 1
    assert states(hub) == {bol["returnId"]: "pushed"}


def test_lost_put_answer_is_looked_up_not_resent(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=1)[0]
    (rma,) = rmas(bol)
    import_all(hub, drain, cid)
    decide(hub, shop_emu, bol["returnId"], {rma: ("cancelled", 1)})
    emu.hook("faults", {"lose_put_response": 1})
    decisions_to_bol(drain, cid)
    ret = row(hub, bol["returnId"])
    assert ret.state == "decided" and "500" in ret.last_error
    settle(hub, drain, cid, lambda: states(hub) == {bol["returnId"]: "pushed"})
    assert puts(emu) == [(rma, "CUSTOMER_KEEPS_PRODUCT_PAID", 1)]


def test_malformed_items_are_quarantined_with_a_reason_and_the_rest_imported(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    good = seed(emu, shop_emu, 2, fulfilment="FBR")
    template = emu.seed(1, fulfilment="FBR", items=1)[0]
    emu.state.returns.pop(template["returnId"])
    item = template["returnItems"][0]
    emu.hook("returns", {**template, "returnId": "900", "returnItems": [dict(item, rmaId=None)]})
    emu.hook("returns", {**template, "returnId": "901", "returnItems": [dict(item, rmaId="31999901",
                                                                             expectedQuantity="two")]})
    emu.hook("returns", {**template, "returnId": "902", "returnItems": [dict(item, rmaId="31999902",
                                                                             expectedQuantity=-1)]})
    httpx.post(f"{emu.url}/_emulator/returns", params={"listed_as": "FBR"},
               json={**template, "returnId": "903", "fulfilmentMethod": "FBX",
                     "returnItems": [dict(item, rmaId="31999903")]}).raise_for_status()
    odd = dict(item, rmaId="31999904", processingResults=[
        {"quantity": 1, "processingResult": "ACCEPTED", "handlingResult": "RETURN_RECEIVED_AND_INSPECTED",
         "processingDateTime": "2024-04-17T10:55:37+02:00"}])
    emu.hook("returns", {**template, "returnId": "904", "returnItems": [odd]})
    fakeshop.seed_orders(shop_emu.app, demo_orders(emu.server.app))

    result = import_all(hub, drain, cid)
    assert (result["new"], result["quarantined"]) == (3, 4)
    with hub.session() as s:
        reasons = dict(s.execute(select(QuarantinedItem.external_id, QuarantinedItem.reason)
                                 .where(QuarantinedItem.connection_id == cid)).all())
    assert "no rmaId" in reasons["900"]
    assert "expectedQuantity 'two'" in reasons["901"]
    assert "expectedQuantity -1" in reasons["902"]
    assert "unknown fulfilmentMethod 'FBX'" in reasons["903"]
    assert states(hub) == {**{g["returnId"]: "in_shop" for g in good}, "904": "in_shop"}
    flagged = row(hub, "904")  # an undocumented bol value: kept raw, flagged, imported
    assert flagged.flags == ["unknown_handling_result:RETURN_RECEIVED_AND_INSPECTED"]
    assert flagged.lines[0].raw["processingResults"][0]["handlingResult"] == "RETURN_RECEIVED_AND_INSPECTED"
    import_all(hub, drain, cid)  # bol lists them again on the next poll: nothing new, nothing twice
    assert len(states(hub)) == 3
    with hub.session() as s:
        assert len(s.scalars(select(QuarantinedItem.id)).all()) == 4


def test_failure_process_status_puts_the_return_in_needs_attention_with_bols_message(
        hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=1)[0]
    (rma,) = rmas(bol)
    import_all(hub, drain, cid)
    message = "Return item has been handled already via the bol.com seller dashboard."
    emu.hook("faults", {"fail_rma": {rma: message}})
    decide(hub, shop_emu, bol["returnId"], {rma: ("accepted", 1)})
    decisions_to_bol(drain, cid)
    ret = row(hub, bol["returnId"])
    assert ret.state == "needs_attention" and message in ret.attention_reason
    assert "RETURN_RECEIVED" in ret.attention_reason and not ret.lines[0].pushed_at
    assert [s["status"] for s in emu.state.statuses.values()] == ["FAILURE"]
    jobs.reconcile()
    drain()
    assert len(emu.puts()) == 1  # a failure for good is not retried on its own


def test_kept_is_refused_with_a_clear_reason(hub, emu, shop_emu, bol_connection, drain):
    cid = bol_connection()
    bol = seed(emu, shop_emu, 1, fulfilment="FBR", items=1, quantity=1)[0]
    import_all(hub, drain, cid)
    decide(hub, shop_emu, bol["returnId"], {rmas(bol)[0]: ("kept", 1)})
    decisions_to_bol(drain, cid)
    ret = row(hub, bol["returnId"])
    assert ret.state == "needs_attention" and "does not take 'kept'" in ret.attention_reason  # refused by the core
    assert emu.puts() == []


def test_flow_traffic_is_valid_against_the_spec(hub, emu, shop_emu, bol_connection, drain, spec):
    """Every request the plugin sent during a full run through the core, checked against bol's spec."""
    cid = bol_connection()
    fbr = seed(emu, shop_emu, 2, fulfilment="FBR", items=2, quantity=3)
    seed(emu, shop_emu, 1, fulfilment="FBB")
    import_all(hub, drain, cid)
    for bol in fbr:
        first, second = rmas(bol)
        decide(hub, shop_emu, bol["returnId"], {first: ("accepted", 2), second: ("exchanged", 3)})
    decisions_to_bol(drain, cid)
    assert set(states(hub).values()) == {"pushed", "closed_without_push"}
    records = emu.requests()
    assert [e for r in records for e in spec.check_request(r)] == []
    assert [e for r in records for e in spec.check_response(r)[1]] == []
    assert {r["method"] for r in records} == {"GET", "PUT"}
