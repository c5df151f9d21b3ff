"""Fetching: paging by meta.nextCursor to the end, the incremental cursor, open quantities, and bad payloads
quarantined while the page goes on."""
from __future__ import annotations

from datetime import timedelta

from hub.model import Quarantined


def ids(walk) -> set[str]:
    return {i["external_id"] for i in walk.items if isinstance(i, dict)}


def lists(emu):
    return [e for e in emu.ledger.entries if e.method == "GET" and e.path == "/v3/returns"]


def test_paging_follows_next_cursor_to_the_end(make_adapter, page_walker, state, emu):
    made = state.seed(25, lines=1)
    walk = page_walker(make_adapter(page_size=10))
    assert ids(walk) == {r["returnOrderId"] for r in made}
    sent = [(e.query.get("limit"), e.query.get("offset")) for e in lists(emu)]
    assert sent == [(["10"], None), (["10"], ["10"]), (["10"], ["20"])]
    assert all(e.query.get("returnCreationStartDate") for e in lists(emu)), "the cursor's filter is kept"
    assert len(walk.pages) == 3 and not walk.pages[-1].more


def test_incremental_cursor_reads_only_new_returns(make_adapter, page_walker, state, fake_clock):
    state.seed(3, age=timedelta(days=2))
    state.seed(1, age=timedelta(days=40))  # older than days_back: never fetched
    first = page_walker(make_adapter())
    assert len(ids(first)) == 3
    fake_clock.advance(60)
    again = page_walker(make_adapter(), first.cursor)
    assert ids(again) == set()
    fake_clock.advance(60)
    new = state.seed(1)[0]
    assert ids(page_walker(make_adapter(), again.cursor)) == {new["returnOrderId"]}


def test_return_order_lines_become_lines_with_open_quantities(make_adapter, page_walker, state):
    ret = state.seed(1, lines=2, quantity=3)[0]
    first, second = ret["returnOrderLines"]
    first["refundedQty"] = 1  # refunded earlier, outside Returnhub
    second["status"], second["refundedQty"] = "COMPLETED", 3
    [item] = page_walker(make_adapter()).items
    assert item["marketplace_order_id"] == ret["customerOrderId"]
    assert item["customer"]["email"] == ret["customerEmailId"]
    [line] = item["lines"]
    assert (line["external_line_id"], line["quantity"], line["raw"]["refunded_before"]) == ("1", 2, 1)
    assert (line["sku"], line["unit_price"], line["currency"]) == (
        first["item"]["sku"], str(first["unitPrice"]["currencyAmount"]), "USD")
    assert line["reason_code"] == first["returnReason"]


def test_fully_refunded_or_cancelled_returns_are_skipped(make_adapter, page_walker, state):
    done = state.seed(1, lines=1, quantity=1)[0]
    done["returnOrderLines"][0].update(status="COMPLETED", refundedQty=1)
    gone = state.seed(1, lines=1, status="CANCELLED")[0]
    open_ = state.seed(1, lines=1)[0]
    assert ids(page_walker(make_adapter())) == {open_["returnOrderId"]}
    assert {done["returnOrderId"], gone["returnOrderId"]}.isdisjoint(ids(page_walker(make_adapter())))


def test_bad_payloads_are_quarantined_and_the_page_goes_on(make_adapter, page_walker, state, emu):
    good = state.seed(2)
    broken = {kind: emu.hook("break", {"kind": kind})["returnOrderId"]
              for kind in ("unknown_status", "missing_id", "unknown_return_type", "missing_customer_order")}
    walk = page_walker(make_adapter())
    assert ids(walk) == {r["returnOrderId"] for r in good}
    bad = {q.external_id: q.reason for q in walk.items if isinstance(q, Quarantined)}
    assert "unknown status 'TELEPORTED'" in bad[broken["unknown_status"]]
    assert "unknown returnType 'BARTER'" in bad[broken["unknown_return_type"]]
    assert "no customerOrderId" in bad[broken["missing_customer_order"]]
    assert bad[None] == "return order has no returnOrderId"
    assert len(bad) == 4
