"""fetch_returns through the Reports API life cycle, over real HTTP against the emulator."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from returnhub_amazon.adapter import AmazonMarketplace
from returnhub_amazon.emulator import create_app, demo_orders, fba_row, mfn_row
from returnhub_amazon.mapping import FBA, MFN_FLAT, MFN_XML
from returnhub_amazon.plugin import emulator_settings

from hub.errors import PermanentError, TransientError
from hub.model import Fulfilment, Quarantined, load_return


def _now():
    return datetime.now(UTC).replace(microsecond=0)


def _parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _cursor(**marks) -> str:
    """A stored cursor whose streams' data is complete up to ``marks`` (no report in progress)."""
    return json.dumps({"v": 2, "streams": {n: {"mark": m.strftime("%Y-%m-%dT%H:%M:%SZ"), "run": None, "seen": {},
                                                "v": 1} for n, m in marks.items()}},
                      sort_keys=True, separators=(",", ":"))


def _stream(cursor: str, name: str = "mfn") -> dict:
    return json.loads(cursor)["streams"][name]


def _returns(items):
    return [load_return(i) for i in items if not isinstance(i, Quarantined)]


def test_flat_file_and_fba_reports_become_canonical_returns(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMA1A", "302-0000001-0000001", "SKU-A", quantity=2, refunded="19.90"),
                 mfn_row("RMA2B", "302-0000002-0000002", "SKU-B", in_policy="N"),
                 mfn_row("RMA2B", "302-0000002-0000002", "SKU-C")],
            fba=[fba_row("171-0000003-0000003", "SKU-F", "LPN0001", reason="DEFECTIVE")])
    items, cursor, _ = fetch_all(make_adapter())

    returns = {r.external_id: r for r in _returns(items)}
    assert set(returns) == {"RMA1A", "RMA2B", "FBA:171-0000003-0000003:SKU-F:LPN0001"}
    one = returns["RMA1A"]
    assert one.marketplace_order_id == "302-0000001-0000001" and one.fulfilment == Fulfilment.MERCHANT
    assert [(ln.sku, ln.quantity, ln.reason_code, ln.reason_text) for ln in one.lines] == [
        ("SKU-A", 2, "CR-DEFECTIVE", "Defective or does not work")]
    assert one.lines[0].raw["asin"] == "B0EMU00001"
    assert {"no_customer_address", "in_policy", "refunded"} <= set(one.flags) and one.customer is None
    assert one.raw["refunded_amount"] == "19.90" and one.raw["currency_code"] == "EUR"
    two = returns["RMA2B"]
    assert [ln.external_line_id for ln in two.lines] == ["SKU-B", "SKU-C"] and "out_of_policy" in two.flags
    fba = returns["FBA:171-0000003-0000003:SKU-F:LPN0001"]
    assert fba.fulfilment == Fulfilment.MARKETPLACE and fba.fulfilment_method == "FBA"
    assert "informational" in fba.flags

    created = emu.calls("createReport")
    assert sorted(c.body["reportType"] for c in created) == sorted([MFN_FLAT, FBA])
    for call in created:
        start, end = _parse(call.body["dataStartTime"]), _parse(call.body["dataEndTime"])
        assert end - start == timedelta(days=30, minutes=-2) and call.body["marketplaceIds"] == ["A1PA6795UKMFR9"]
    downloads = emu.calls("download")
    assert len(downloads) == 2 and all(d.status == 200 and "X-Amz-Access-Token" not in d.headers for d in downloads)
    assert all(_stream(cursor, s)["mark"] and not _stream(cursor, s)["run"] for s in ("mfn", "fba"))


def test_xml_variant_maps_like_the_flat_file(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAX1", "302-0000009-0000009", "SKU-X", quantity=3, reason="CR-SWITCHEROO"),
                 mfn_row("RMAX1", "302-0000009-0000009", "SKU-Y")])
    flat = _returns(fetch_all(make_adapter(import_fba_returns=False))[0])
    xml = _returns(fetch_all(make_adapter(import_fba_returns=False, returns_report_format="xml"))[0])
    assert emu.calls("createReport")[-1].body["reportType"] == MFN_XML
    assert [(r.external_id, [(ln.sku, ln.quantity, ln.reason_code) for ln in r.lines]) for r in xml] == \
        [(r.external_id, [(ln.sku, ln.quantity, ln.reason_code) for ln in r.lines]) for r in flat] == \
        [("RMAX1", [("SKU-X", 3, "CR-SWITCHEROO"), ("SKU-Y", 1, "CR-DEFECTIVE")])]


def test_same_return_in_overlapping_reports_keeps_its_external_id(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAOVER", "302-0000004-0000004", "SKU-O", requested_at=_now() - timedelta(hours=1))])
    adapter = make_adapter(import_fba_returns=False)
    first, cursor, _ = fetch_all(adapter)
    second, _, _ = fetch_all(adapter, cursor)
    one, two = emu.calls("createReport")
    assert _parse(two.body["dataStartTime"]) == _parse(one.body["dataEndTime"]) - timedelta(hours=48)
    assert [r.external_id for r in _returns(first)] == [r.external_id for r in _returns(second)] == ["RMAOVER"]


def test_empty_window_is_no_error_and_leaves_the_cursor_unchanged(emu, make_adapter, fetch_all):
    start = _cursor(mfn=_now() - timedelta(days=5))
    items, cursor, pages = fetch_all(make_adapter(import_fba_returns=False), start)
    assert items == [] and cursor == start and pages == 2
    assert emu.calls("getReport")[-1].response["processingStatus"] == "CANCELLED"


def test_cancelled_catch_up_window_moves_on_so_old_gaps_do_not_stall(emu, make_adapter, fetch_all):
    mark = _now() - timedelta(days=100)
    _, cursor, _ = fetch_all(make_adapter(import_fba_returns=False), _cursor(mfn=mark))
    assert _parse(_stream(cursor)["mark"]) == mark - timedelta(hours=48) + timedelta(days=30)


def test_report_in_progress_is_resumed_not_recreated_after_a_crash(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMASLOW", "302-0000005-0000005", "SKU-S")])
    emu.state.config["polls_to_finish"] = 50
    adapter = make_adapter(import_fba_returns=False, report_poll_budget_seconds=0.05)
    page = adapter.fetch_returns(None)
    assert page.more and page.items == []
    page = adapter.fetch_returns(page.cursor)
    assert not page.more and page.items == []
    assert _stream(page.cursor)["run"]["page"] == emu.report_id(0)

    emu.state.config["polls_to_finish"] = 1
    items, cursor, _ = fetch_all(make_adapter(import_fba_returns=False), page.cursor)  # a new worker
    assert [r.external_id for r in _returns(items)] == ["RMASLOW"]
    assert len(emu.calls("createReport")) == 1
    assert _stream(cursor)["run"] is None


def test_watermark_moves_only_after_the_done_report_was_parsed(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAWM", "302-0000006-0000006", "SKU-W")])
    adapter = make_adapter(import_fba_returns=False)
    created = adapter.fetch_returns(None)
    emu.fault("getReportDocument", "429", count=10)
    with pytest.raises(TransientError):
        adapter.fetch_returns(created.cursor)  # the core keeps created.cursor
    emu.state.faults.clear()
    items, cursor, _ = fetch_all(adapter, created.cursor)
    assert [r.external_id for r in _returns(items)] == ["RMAWM"] and len(emu.calls("createReport")) == 1
    assert _stream(created.cursor)["mark"] is None and _stream(cursor)["mark"]


def test_expired_download_url_makes_the_document_be_requested_again(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAEXP", "302-0000007-0000007", "SKU-E")])
    emu.fault("download", "expire_url")
    items, _, _ = fetch_all(make_adapter(import_fba_returns=False))
    assert [r.external_id for r in _returns(items)] == ["RMAEXP"]
    assert [d.status for d in emu.calls("download")] == [403, 200]
    assert len(emu.calls("getReportDocument")) == 2


def test_quota_answers_are_waited_out_without_losing_rows(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row(f"RMAQ{i}", f"302-000000{i}-0000008", f"SKU-{i}") for i in range(5)],
            fba=[fba_row("171-0000008-0000008", "SKU-FQ", "LPNQ1")])
    for operation in ("createReport", "getReport", "getReportDocument"):
        emu.fault(operation, "429", count=2)
    items, _, _ = fetch_all(make_adapter())
    assert sorted(r.external_id for r in _returns(items)) == \
        sorted([f"RMAQ{i}" for i in range(5)] + ["FBA:171-0000008-0000008:SKU-FQ:LPNQ1"])
    assert len([e for e in emu.ledger() if e.status == 429]) == 6
    assert len(emu.calls("createReport")) == 4  # two refused, then one per report type


def test_malformed_rows_are_quarantined_and_the_rest_imported(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAGOOD", "302-0000010-0000010", "SKU-G"),
                 mfn_row("RMABADQTY", "302-0000011-0000011", "SKU-Q", quantity="two"),
                 mfn_row("", "302-0000012-0000012", "SKU-N"),
                 mfn_row("RMASTATUS", "302-0000013-0000013", "SKU-U", status="Teleported")],
            fba=[fba_row("171-0000014-0000014", "SKU-L", "")])
    items, _, _ = fetch_all(make_adapter())
    assert [r.external_id for r in _returns(items)] == ["RMAGOOD"]
    quarantined = {q.external_id: q.reason for q in items if isinstance(q, Quarantined)}
    assert "not a positive whole number" in quarantined["RMABADQTY"]
    assert "unknown Return request status 'Teleported'" in quarantined["RMASTATUS"]
    reasons = [q.reason for q in items if isinstance(q, Quarantined)]
    assert any("without Amazon RMA ID" in r for r in reasons) and any("licence plate" in r for r in reasons)
    assert len(reasons) == 4


def test_fatal_report_is_transient_with_amazons_reason_then_replaced(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAFATAL", "302-0000015-0000015", "SKU-T")])
    emu.fault("createReport", "fatal", reason="Report data is temporarily unavailable")
    adapter = make_adapter(import_fba_returns=False)
    created = adapter.fetch_returns(None)
    with pytest.raises(TransientError, match="Report data is temporarily unavailable") as err:
        adapter.fetch_returns(created.cursor)
    assert err.value.retry_after > 800
    with pytest.raises(TransientError):  # the core's retry before the cool-down: still the same report
        adapter.fetch_returns(created.cursor)
    assert len(emu.calls("createReport")) == 1

    emu.state.age(emu.report_id(0), 1000)
    items, cursor, _ = fetch_all(adapter, created.cursor)
    assert [r.external_id for r in _returns(items)] == ["RMAFATAL"] and len(emu.calls("createReport")) == 2
    assert _stream(cursor)["run"] is None


def test_fatal_reports_in_a_row_become_permanent(emu, make_adapter):
    emu.fault("createReport", "fatal", count=2, reason="Seller is not authorized for this report")
    adapter = make_adapter(import_fba_returns=False, max_fatal_reports=2)
    created = adapter.fetch_returns(None)
    with pytest.raises(TransientError):
        adapter.fetch_returns(created.cursor)
    emu.state.age(emu.report_id(0), 1000)
    replaced = adapter.fetch_returns(created.cursor)
    assert replaced.more and _stream(replaced.cursor)["run"]["fatal"] == 1
    with pytest.raises(PermanentError, match="Seller is not authorized for this report.*2 FATAL reports"):
        adapter.fetch_returns(replaced.cursor)


def test_fatal_without_reason_document_says_so(emu, make_adapter, fetch_all):
    emu.fault("createReport", "fatal")
    adapter = make_adapter(import_fba_returns=False)
    with pytest.raises(TransientError, match="Amazon gave no reason"):
        fetch_all(adapter)


def test_fatal_in_one_stream_does_not_hold_back_the_other(emu, make_adapter):
    emu.add(fba=[fba_row("171-0000016-0000016", "SKU-H", "LPNH1")])
    emu.fault("createReport", "fatal", reason="boom", report_type=MFN_FLAT)
    adapter = make_adapter()
    created = adapter.fetch_returns(None)
    page = adapter.fetch_returns(created.cursor)
    assert [r.external_id for r in _returns(page.items)] == ["FBA:171-0000016-0000016:SKU-H:LPNH1"]
    assert page.more
    with pytest.raises(TransientError, match="boom"):
        adapter.fetch_returns(page.cursor)


def test_a_report_already_created_is_kept_when_the_next_create_is_refused(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAKEEP", "302-0000019-0000019", "SKU-K")])
    emu.fault("createReport", "429", count=4, report_type=FBA)  # outlasts the factory's 3 retries
    adapter = make_adapter()
    page = adapter.fetch_returns(None)
    assert page.more and _stream(page.cursor)["run"]["page"] and _stream(page.cursor, "fba")["run"] is None
    items, _, _ = fetch_all(adapter, page.cursor)
    assert [r.external_id for r in _returns(items)] == ["RMAKEEP"]
    assert [c.body["reportType"] for c in emu.calls("createReport") if c.status == 202] == [MFN_FLAT]


def test_customer_address_comes_from_the_orders_api_with_a_restricted_data_token(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMAPII", "302-0000017-0000017", "SKU-P")])
    items, _, _ = fetch_all(make_adapter(import_fba_returns=False, fetch_customer_address=True))
    (ret,) = _returns(items)
    assert ret.customer.email == "q7ttm0n4lp2x9@marketplace.amazon.de"
    assert (ret.customer.address.city, ret.customer.address.country_code) == ("Leipzig", "DE")
    assert "no_customer_address" not in ret.flags
    (rdt,) = emu.calls("createRestrictedDataToken")
    assert {r["path"] for r in rdt.body["restrictedResources"]} == {
        "/orders/v0/orders/302-0000017-0000017/address", "/orders/v0/orders/302-0000017-0000017/buyerInfo"}
    assert [c.status for c in emu.calls("getOrderAddress") + emu.calls("getOrderBuyerInfo")] == [200, 200]


def test_without_the_restricted_role_the_return_says_it_has_no_address(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMANOPII", "302-0000018-0000018", "SKU-P")])
    emu.state.config["pii_role"] = False
    items, _, _ = fetch_all(make_adapter(import_fba_returns=False, fetch_customer_address=True))
    (ret,) = _returns(items)
    assert ret.customer is None
    assert {"no_customer_address", "customer_address_unavailable"} <= set(ret.flags)


def test_demo_emulator_seeds_returns_and_their_orders(serve_emulator, adapter_factory, fetch_all):
    app = create_app(demo=True)
    handle = serve_emulator(app)
    adapter = adapter_factory(AmazonMarketplace, {**emulator_settings(handle.url), "report_poll_initial_seconds": 0.01})
    returns = _returns(fetch_all(adapter)[0])
    assert len(returns) >= 4 and {r.fulfilment for r in returns} == {Fulfilment.MERCHANT, Fulfilment.MARKETPLACE}
    assert {r.marketplace_order_id for r in returns} <= {o["order_id"] for o in demo_orders(app)}


def test_plain_documents_and_day_month_year_dates_are_read(emu, make_adapter, fetch_all):
    emu.state.config["gzip"] = False
    day = _now() - timedelta(days=3)
    emu.add(mfn=[mfn_row("RMAPLAIN", "302-0000022-0000022", "SKU-D",
                         **{"Return request date": day.strftime("%d-%b-%Y")})],
            fba=[fba_row("171-0000022-0000022", "SKU-E", "LPNPLAIN", **{"return-date": day.strftime("%d-%b-%Y")})])
    returns = {r.external_id: r for r in _returns(fetch_all(make_adapter())[0])}
    midnight = day.replace(hour=0, minute=0, second=0)
    assert {r.requested_at for r in returns.values()} == {midnight} and len(returns) == 2
    assert all("compressionAlgorithm" not in c.response for c in emu.calls("getReportDocument"))


def test_a_created_report_whose_answer_was_lost_is_found_not_created_twice(emu, make_adapter, fetch_all):
    emu.add(mfn=[mfn_row("RMALOST", "302-0000023-0000023", "SKU-L")])
    emu.faults.drop(path="/reports/2021-06-30/reports", method="POST")  # Amazon commits, the answer is lost
    items, cursor, _ = fetch_all(make_adapter(import_fba_returns=False))
    assert [r.external_id for r in _returns(items)] == ["RMALOST"]
    assert len(emu.state.reports) == 1 and len(emu.calls("getReports")) == 1
    query = emu.calls("getReports")[0].query
    assert query["reportTypes"] == [MFN_FLAT] and query["processingStatuses"] == ["IN_QUEUE,IN_PROGRESS,DONE"]


def test_an_unreadable_cursor_is_a_permanent_error(make_adapter):
    with pytest.raises(PermanentError, match="reset the connection's cursor"):
        make_adapter().fetch_returns('{"v": 7}')


def test_a_cursor_stored_before_the_sdk_reads_its_window_again(emu, make_adapter):
    since = _now() - timedelta(days=3)
    old = json.dumps({"v": 1, "streams": {"mfn": {"since": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "fatal": 1}}})
    make_adapter(import_fba_returns=False).fetch_returns(old)
    assert _parse(emu.calls("createReport")[0].body["dataStartTime"]) == since
