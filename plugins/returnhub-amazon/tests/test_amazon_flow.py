"""Amazon through the core, end to end: the Amazon emulator -> the hub's jobs -> the core's test shop.

Every test runs the real jobs against a Hub with a real database (SQLite, and PostgreSQL when configured)
and Redis, over loopback HTTP to both emulators, through hub.testing's flow and poll helpers.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from returnhub_amazon.emulator import CLIENT_SECRET, REFRESH_TOKEN, fba_row, mfn_row
from returnhub_amazon.mapping import MFN_FLAT

from hub.accounts import create_user
from hub.testing.flow import find_return, settle, states, timeline
from hub.testing.kit.base import login
from hub.testing.polls import connection_state, poll, push, quarantine, schedule, stored_cursor

# Everything the plugin may call at Amazon: token, reports, documents. None of them changes a return.
READ_OPERATIONS = {"lwaToken", "createReport", "getReport", "getReportDocument", "download"}


def _now():
    return datetime.now(UTC).replace(microsecond=0)


def orders_in_shop(shop_emu, *orders):
    for order in orders:
        shop_emu.state["orders"][order] = {"id": f"SO-{order}", "number": order}


def decide_all(shop_emu, decision):
    """The merchant decides every open return in the shop (as tests/test_pipeline.py does)."""
    for record in shop_emu.state["returns"].values():
        if record["status"] != "open":
            continue
        for line in record["lines"].values():
            line.update(decision=decision, decided_qty=line["quantity"])
        record["status"] = "decided"


def operations(emu) -> set[str]:
    from conftest import operation
    return {operation(e) for e in emu.ledger()}


def mfn_run(hub, cid) -> dict | None:
    """The report in progress in the stored cursor's merchant-fulfilled stream."""
    return json.loads(stored_cursor(hub, cid))["streams"]["mfn"]["run"]


def test_report_rows_become_shop_returns_and_the_decision_closes_without_push(
        hub, make_connection, emu, shop_emu, drain):
    cid = make_connection(import_fba_returns=False)
    emu.add(mfn=[mfn_row("RMAFLOW1", "302-1000001-0000001", "SKU-A", quantity=2),
                 mfn_row("RMAFLOW2", "302-1000002-0000002", "SKU-B"),
                 mfn_row("RMAFLOW2", "302-1000002-0000002", "SKU-C")])
    orders_in_shop(shop_emu, "302-1000001-0000001", "302-1000002-0000002")

    result = poll(cid)
    assert result["new"] == 2 and "error" not in result
    drain()
    assert states(hub) == {"RMAFLOW1": "in_shop", "RMAFLOW2": "in_shop"}
    shop = {r["reference"]: r for r in shop_emu.state["returns"].values()}
    assert shop[f"returnhub-{cid}-RMAFLOW2"]["order_id"] == "SO-302-1000002-0000002"
    assert set(shop[f"returnhub-{cid}-RMAFLOW2"]["lines"]) == {"SKU-B", "SKU-C"}
    assert shop[f"returnhub-{cid}-RMAFLOW1"]["lines"]["SKU-A"]["quantity"] == 2

    decide_all(shop_emu, "rejected")
    settle(hub, cid, poll=False)
    assert states(hub) == {"RMAFLOW1": "closed_without_push", "RMAFLOW2": "closed_without_push"}
    assert timeline(hub, "RMAFLOW2") == ["received", "in_shop", "decided", "closed_without_push"]
    decided = [ln.decision.value for r in ("RMAFLOW1", "RMAFLOW2") for ln in find_return(hub, r).lines]
    assert set(decided) == {"rejected"}
    assert push(cid) == {"skipped": "marketplace takes no decisions"}
    assert operations(emu) <= READ_OPERATIONS


def test_fba_returns_are_created_accepted_and_closed_as_informational(hub, make_connection, emu, shop_emu, drain):
    cid = make_connection()
    emu.add(fba=[fba_row("171-2000001-0000001", "SKU-F", "LPNFLOW1")])
    orders_in_shop(shop_emu, "171-2000001-0000001")
    poll(cid)
    drain()
    external_id = "FBA:171-2000001-0000001:SKU-F:LPNFLOW1"
    assert states(hub) == {external_id: "closed_without_push"}
    assert timeline(hub, external_id) == ["received", "in_shop", "closed_without_push"]
    fba = find_return(hub, external_id)
    assert fba.fulfilment.value == "marketplace" and fba.fulfilment_method == "FBA" and "informational" in fba.flags
    assert [r["status"] for r in shop_emu.state["returns"].values()] == ["accepted"]
    assert [ln.decision.value for ln in fba.lines] == ["accepted"]
    settle(hub, cid, poll=False)
    assert operations(emu) <= READ_OPERATIONS


def test_empty_window_is_no_error_and_leaves_the_stored_cursor_unchanged(hub, make_connection, emu, shop_emu, drain):
    cid = make_connection()
    emu.add(mfn=[mfn_row("RMAOLD", "302-3000001-0000001", "SKU-O", requested_at=_now() - timedelta(days=4))])
    orders_in_shop(shop_emu, "302-3000001-0000001")
    assert poll(cid)["new"] == 1
    before = stored_cursor(hub, cid)
    assert mfn_run(hub, cid) is None

    # The next window starts 48 h before the last one ended: nothing in it, Amazon answers CANCELLED.
    result = poll(cid)
    assert result == {"new": 0, "known": 0, "quarantined": 0, "pages": 2}
    assert stored_cursor(hub, cid) == before
    assert connection_state(hub, cid)["last_error"] is None
    second = {emu.report_id(2), emu.report_id(3)}
    finished = [c.response["processingStatus"] for c in emu.calls("getReport") if c.response["reportId"] in second]
    assert finished.count("CANCELLED") == 2


def test_fatal_report_is_retried_then_amazons_reason_lands_on_the_connection(
        hub, make_connection, emu, shop_emu, drain):
    reason = "Seller is not authorized for the returns report in this marketplace"
    cid = make_connection(import_fba_returns=False, max_fatal_reports=2)
    emu.add(mfn=[mfn_row("RMAFATAL", "302-4000001-0000001", "SKU-T")])
    orders_in_shop(shop_emu, "302-4000001-0000001")
    emu.fault("createReport", "fatal", count=2, reason=reason)

    # A fresh FATAL: transient. The poll ends with Amazon's reason on the connection; the next
    # poll (the retry) asks about the same report and creates none.
    for _ in range(2):
        result = poll(cid)
        assert reason in result["error"]
        last_error = connection_state(hub, cid)["last_error"]
        assert last_error.startswith("TransientError: ") and reason in last_error
    assert len(emu.calls("createReport")) == 1
    first = emu.report_id(0)
    assert mfn_run(hub, cid)["page"] == first

    # After the cool-down a new report replaces it; FATAL again makes two in a row: permanent.
    emu.state.age(first, 1000)
    poll(cid)
    conn = connection_state(hub, cid)
    assert conn["last_error"].startswith("PermanentError: ") and reason in conn["last_error"]
    assert "2 FATAL reports in a row" in conn["last_error"]
    assert conn["status"] == "active"  # still polled: a fixed cause heals without a reset
    assert states(hub) == {}

    # The cause is gone: the replacement report is DONE and the return arrives.
    emu.state.age(emu.report_id(1), 1000)
    assert poll(cid)["new"] == 1
    drain()
    assert states(hub) == {"RMAFATAL": "in_shop"}
    assert len(emu.calls("createReport")) == 3
    assert mfn_run(hub, cid) is None


def test_expired_download_url_makes_the_document_be_requested_again(hub, make_connection, emu, shop_emu, drain):
    cid = make_connection(import_fba_returns=False)
    emu.add(mfn=[mfn_row("RMAEXPIRED", "302-5000001-0000001", "SKU-E")])
    orders_in_shop(shop_emu, "302-5000001-0000001")
    emu.fault("download", "expire_url")
    assert poll(cid)["new"] == 1
    drain()
    assert states(hub) == {"RMAEXPIRED": "in_shop"}
    assert [d.status for d in emu.calls("download")] == [403, 200]
    assert len(emu.calls("getReportDocument")) == 2


def test_the_same_return_in_two_overlapping_reports_is_one_return(hub, make_connection, emu, shop_emu, drain):
    cid = make_connection(import_fba_returns=False)
    emu.add(mfn=[mfn_row("RMATWICE", "302-6000001-0000001", "SKU-D", requested_at=_now() - timedelta(hours=3))])
    orders_in_shop(shop_emu, "302-6000001-0000001")
    assert poll(cid)["new"] == 1
    drain()
    # Amazon serves the row again in the overlapping window, with another date this time.
    with emu.state.lock:
        emu.state.rows["mfn"][0]["Return request date"] = (_now() - timedelta(hours=1)).isoformat()
    result = poll(cid)
    drain()
    assert result["new"] == 0 and result["known"] == 1
    reports = emu.calls("createReport")
    assert len(reports) == 2 and all(d.status == 200 for d in emu.calls("download"))
    assert len(emu.calls("download")) == 2  # both reports carried the return
    assert list(states(hub)) == ["RMATWICE"]
    assert shop_emu.state["creates"] == [f"returnhub-{cid}-RMATWICE"]


def test_quota_answers_are_waited_out_and_nothing_is_lost(hub, make_connection, emu, shop_emu, drain):
    cid = make_connection()
    orders = [f"302-700000{i}-0000001" for i in range(4)]
    emu.add(mfn=[mfn_row(f"RMAQUOTA{i}", order, f"SKU-{i}") for i, order in enumerate(orders)],
            fba=[fba_row("171-7000009-0000001", "SKU-FQ", "LPNQUOTA")])
    orders_in_shop(shop_emu, *orders, "171-7000009-0000001")
    for operation in ("createReport", "getReport", "getReportDocument"):
        emu.fault(operation, "429")  # one refusal each: the factory waits and asks again
    result = poll(cid)
    assert result["new"] == 5 and "error" not in result
    from conftest import operation
    assert sorted(operation(e) for e in emu.ledger() if e.status == 429) == [
        "createReport", "getReport", "getReportDocument"]

    # Refusals that outlast the retries end the poll; the stored cursor keeps the report, and the
    # next poll downloads it without creating another.
    emu.add(mfn=[mfn_row("RMAQUOTA9", "302-7000009-0000009", "SKU-9", requested_at=_now() - timedelta(hours=1))])
    orders_in_shop(shop_emu, "302-7000009-0000009")
    emu.fault("getReportDocument", "429", count=2)  # the request and its one retry (http_retries=1)
    created = len(emu.calls("createReport"))
    result = poll(cid)
    assert "429" in result["error"] and result["new"] == 0
    assert mfn_run(hub, cid)["page"] == emu.calls("createReport")[-2].response["reportId"]
    result = poll(cid)
    assert result["new"] == 1 and "error" not in result
    assert len(emu.calls("createReport")) == created + 2
    drain()
    assert len(states(hub)) == 6 and set(states(hub).values()) == {"in_shop", "closed_without_push"}


def test_malformed_rows_are_quarantined_with_a_reason_and_the_rest_imported(
        hub, make_connection, emu, shop_emu, drain):
    cid = make_connection()
    emu.add(mfn=[mfn_row("RMAGOOD", "302-8000001-0000001", "SKU-G"),
                 mfn_row("RMABADQTY", "302-8000002-0000002", "SKU-Q", quantity="two"),
                 mfn_row("", "302-8000003-0000003", "SKU-N"),
                 mfn_row("RMASTATUS", "302-8000004-0000004", "SKU-U", status="Teleported")],
            fba=[fba_row("171-8000005-0000005", "SKU-L", "")])
    orders_in_shop(shop_emu, "302-8000001-0000001")
    result = poll(cid)
    assert result["new"] == 1 and result["quarantined"] == 4
    drain()
    assert states(hub) == {"RMAGOOD": "in_shop"}
    items = quarantine(hub, cid)
    assert len(items) == 4
    reasons = {q["external_id"]: q["reason"] for q in items if q["external_id"]}
    assert "not a positive whole number" in reasons["RMABADQTY"]
    assert "unknown Return request status 'Teleported'" in reasons["RMASTATUS"]
    anonymous = [q["reason"] for q in items if not q["external_id"]]
    assert any("without Amazon RMA ID" in r for r in anonymous) and any("licence plate" in r for r in anonymous)
    assert all(q["raw"] for q in items)  # the rows are kept for review


def test_invalid_grant_marks_the_connection_needs_reauth_and_polling_stops(
        hub, make_connection, emu, shop_emu, drain):
    cid = make_connection()
    emu.add(mfn=[mfn_row("RMAREAUTH", "302-9000001-0000001", "SKU-R")])
    emu.app.extensions["emulation"].token_endpoint.refresh_tokens.pop(REFRESH_TOKEN)
    result = poll(cid)
    assert "invalid_grant" in result["error"]
    conn = connection_state(hub, cid)
    assert conn["status"] == "needs_reauth" and "needs new credentials" in conn["status_reason"]
    assert len(emu.calls("lwaToken")) == 1

    # Nothing polls a paused connection again: not the schedule, the reconciler, nor a direct job.
    schedule()
    drain()
    assert poll(cid) == {"skipped": "connection inactive or returns switched off"}
    assert len(emu.calls("lwaToken")) == 1 and emu.calls("createReport") == []
    assert states(hub) == {}


def test_return_without_customer_address_goes_to_the_shop_with_the_order_reference_only(
        hub, make_connection, emu, shop_emu, drain):
    cid = make_connection(import_fba_returns=False)
    emu.add(mfn=[mfn_row("RMANOADDR", "302-9100001-0000001", "SKU-P")])
    orders_in_shop(shop_emu, "302-9100001-0000001")
    poll(cid)
    drain()
    ret = find_return(hub, "RMANOADDR")
    assert states(hub)["RMANOADDR"] == "in_shop" and ret.customer is None and "no_customer_address" in ret.flags
    assert ret.marketplace_order_id == "302-9100001-0000001" and ret.shop_order_id == "SO-302-9100001-0000001"
    (record,) = shop_emu.state["returns"].values()
    assert record["order_id"] == "SO-302-9100001-0000001" and record["reference"] == f"returnhub-{cid}-RMANOADDR"
    assert emu.calls("createRestrictedDataToken") == []


def test_refused_restricted_data_says_why_the_address_is_missing(hub, make_connection, emu, shop_emu, drain):
    cid = make_connection(import_fba_returns=False, fetch_customer_address=True)
    emu.state.config["pii_role"] = False
    emu.add(mfn=[mfn_row("RMANOROLE", "302-9200001-0000001", "SKU-P")])
    orders_in_shop(shop_emu, "302-9200001-0000001")
    assert poll(cid)["new"] == 1
    drain()
    ret = find_return(hub, "RMANOROLE")
    assert states(hub)["RMANOROLE"] == "in_shop" and ret.customer is None
    assert {"no_customer_address", "customer_address_unavailable"} <= set(ret.flags)
    assert connection_state(hub, cid)["last_error"] is None


def _signed_in(hub, hub_client, merchant="Merchant A"):
    create_user(hub, email="a@example.com", password="correct horse battery", merchant_name=merchant)
    assert login(hub_client, "a@example.com", "correct horse battery").status_code == 302
    return hub_client


def test_the_merchant_sees_amazons_reason_and_why_a_return_has_no_address(
        hub, hub_client, make_connection, emu, shop_emu, drain):
    reason = "Seller not authorized"
    cid = make_connection(max_fatal_reports=1)
    emu.fault("createReport", "fatal", reason=reason, report_type=MFN_FLAT)
    emu.add(fba=[fba_row("171-9300001-0000001", "SKU-W", "LPNWEB1")])
    orders_in_shop(shop_emu, "171-9300001-0000001")
    result = poll(cid)
    assert result["new"] == 1 and reason in result["error"]  # the FBA rows came in all the same
    drain()
    client = _signed_in(hub, hub_client)

    listing = client.get("/connections/").get_data(as_text=True)
    assert reason in listing
    page = client.get(f"/connections/{cid}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert reason in text and "FATAL reports in a row" in text
    assert "createReport rate (requests/s)" in text and "getReportDocument burst" in text
    assert REFRESH_TOKEN not in text and CLIENT_SECRET not in text

    ret_id = find_return(hub, "FBA:171-9300001-0000001:SKU-W:LPNWEB1").id
    detail = client.get(f"/returns/{ret_id}").get_data(as_text=True)
    assert "no customer address" in detail and "informational" in detail
