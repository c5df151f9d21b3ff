"""The manifest and settings contract, and the emulator held to Amazon's Reports API model (through the kit's
description checker): what it answers, and that it refuses what Amazon refuses."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from returnhub_amazon.adapter import AmazonMarketplace
from returnhub_amazon.emulator import CLIENT_ID, CLIENT_SECRET, FBA, MARKETPLACE_ID, REFRESH_TOKEN, fba_row, mfn_row
from returnhub_amazon.plugin import emulator_settings
from returnhub_amazon.settings import AmazonSettings

from hub.adapters import AdapterContext
from hub.errors import TransientError
from hub.manifest import load_manifest
from hub.testing.kit.specs import RecordingClientFactory, TrafficRecorder, description_check, report

REPORTS = "/reports/2021-06-30"


def test_manifest_is_valid_and_declares_no_decision_push():
    manifest = load_manifest("returnhub_amazon")
    assert manifest.slug == "amazon" and manifest.kind == "marketplace" and manifest.quality == "silver"
    assert manifest.capabilities.push_decision is False and manifest.capabilities.decisions == ()
    assert manifest.capabilities.auto_accept_fulfilment == ("FBA",) and manifest.capabilities.requires_action is None
    assert [d["path"] for d in manifest.api_descriptions] == ["marketplaces/amazon/reports_2021-06-30.json"]


def test_settings_mark_secrets_and_explain_every_field():
    fields = AmazonSettings().fields
    secret = {name for name, f in fields.items() if f.metadata.get("secret")}
    assert secret == {"lwa_client_secret", "refresh_token"}
    assert all(fields[name].load_only for name in secret)
    assert all(f.metadata.get("label") and f.metadata.get("help") for f in fields.values())


@pytest.fixture
def model():
    """The Reports API model as the kit compiles it (skipped without RETURNHUB_SPECS_DIR)."""
    check = description_check(load_manifest("returnhub_amazon").api_descriptions, "returnhub_amazon")
    if check.missing:
        pytest.skip(check.missing[0].reason)
    return check


@pytest.fixture
def raw(emu):
    """A plain client holding a valid LWA token, recording its traffic."""
    recorder = TrafficRecorder()
    token = httpx.post(f"{emu.url}/auth/o2/token", data={
        "grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}).json()["access_token"]
    with httpx.Client(base_url=emu.url, headers={"x-amz-access-token": token}, event_hooks=recorder.hooks()) as client:
        client.recorder = recorder
        yield client


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_plugins_traffic_and_every_answer_follow_the_model(emu, model, raw):
    emu.add(mfn=[mfn_row("RMASPEC", "302-0000030-0000030", "SKU-S")], fba=[fba_row("171-0000030-0000030", "F", "L1")])
    for operation in ("createReport", "getReport", "getReportDocument"):
        emu.fault(operation, "429")
    emu.fault("download", "expire_url")
    emu.state.config["polls_to_finish"] = 3
    recorder = TrafficRecorder()
    factory = RecordingClientFactory(recorder=recorder, allow_local=["127.0.0.1"], backoff_base=0.01)
    settings = AmazonSettings().load({**emulator_settings(emu.url), "report_poll_initial_seconds": 0.01})
    adapter = AmazonMarketplace(AdapterContext(settings=settings, connection_id=1, http_factory=factory))
    adapter.check()
    cursor = None
    for _ in range(4):
        cursor = adapter.fetch_returns(cursor).cursor
    emu.fault("createReport", "fatal", reason="Internal error")
    emu.fault("createReport", "cancel")
    with pytest.raises(TransientError, match="Internal error"):
        for _ in range(4):
            cursor = adapter.fetch_returns(cursor).cursor
    adapter.close()
    # What the plugin never sends: errors, the other filters, a second page, a report without a window.
    emu.fault("getReports", "429")
    raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA})
    raw.get(f"{REPORTS}/reports", params={"reportTypes": "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE,"
                                          "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", "pageSize": 2,
                                          "processingStatuses": "DONE,CANCELLED,FATAL"})
    page = raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA, "pageSize": 1}).json()
    raw.get(f"{REPORTS}/reports", params={"nextToken": page["nextToken"]})
    raw.post(f"{REPORTS}/reports", json={"reportType": FBA, "marketplaceIds": [MARKETPLACE_ID]})
    raw.post(f"{REPORTS}/reports", json={"reportType": "GET_NO_SUCH_REPORT", "marketplaceIds": [MARKETPLACE_ID]})
    raw.get(f"{REPORTS}/reports/does-not-exist")
    raw.get(f"{REPORTS}/documents/does-not-exist")
    raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA}, headers={"x-amz-access-token": "Atza|forged"})

    exchanges = recorder.take() + raw.recorder.take()
    violations = model.violations(exchanges)
    assert not violations, report(violations)
    seen = {(model.operation(e)[1].split(" ")[0], e.status) for e in exchanges if model.operation(e)[0]}
    assert {("createReport", 202), ("createReport", 400), ("getReports", 200), ("getReports", 429),
            ("getReports", 403), ("getReport", 200), ("getReport", 404), ("getReportDocument", 200),
            ("getReportDocument", 404)} <= seen
    statuses = {e.response["processingStatus"] for e in emu.calls("getReport") if e.status == 200}
    assert statuses == {"IN_QUEUE", "IN_PROGRESS", "DONE", "FATAL", "CANCELLED"}
    assert {e.status for e in emu.calls("createReport") + emu.calls("getReportDocument")} >= {429}
    assert all(e.response_headers.get("x-amzn-RateLimit-Limit") for e in exchanges if e.url.path.startswith(REPORTS))


def test_create_report_takes_the_optional_window_as_now(raw):
    created = raw.post(f"{REPORTS}/reports", json={"reportType": FBA, "marketplaceIds": [MARKETPLACE_ID]})
    assert created.status_code == 202
    report = raw.get(f"{REPORTS}/reports/{created.json()['reportId']}").json()
    start = datetime.fromisoformat(report["dataStartTime"].replace("Z", "+00:00"))
    assert report["dataStartTime"] == report["dataEndTime"] and abs(start - _now()) < timedelta(minutes=1)


@pytest.mark.parametrize(("body", "problem"), [
    ({"reportType": "GET_NO_SUCH_REPORT"}, "Invalid reportType"),
    ({"marketplaceIds": []}, "marketplaceIds"),
    ({"dataStartTime": "yesterday"}, "ISO 8601"),
    ({"dataEndTime": _iso(_now() + timedelta(hours=1))}, "current time"),
    ({"dataStartTime": _iso(_now() - timedelta(days=1)), "dataEndTime": _iso(_now() - timedelta(days=2))}, "after"),
    ({"reportType": "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE", "dataStartTime": _iso(_now() - timedelta(days=61)),
      "dataEndTime": _iso(_now() - timedelta(hours=1))}, "60 days"),
])
def test_create_report_refuses_what_amazon_refuses(raw, body, problem):
    answer = raw.post(f"{REPORTS}/reports", json={"reportType": FBA, "marketplaceIds": [MARKETPLACE_ID], **body})
    assert answer.status_code == 400 and problem in answer.json()["errors"][0]["message"]


@pytest.mark.parametrize(("params", "problem"), [
    ({}, "reportTypes or nextToken is required"),
    ({"reportTypes": FBA, "processingStatuses": "DONE,FINISHED"}, "FINISHED"),
    ({"reportTypes": FBA, "pageSize": 0}, "pageSize"),
    ({"reportTypes": ",".join(f"GET_{n}" for n in range(11))}, "at most 10"),
    ({"reportTypes": FBA, "createdSince": "last week"}, "ISO 8601"),
    ({"nextToken": "not-a-token"}, "invalid next token"),
    ({"nextToken": "eyJvIjogMn0", "reportTypes": FBA}, "the only parameter"),
])
def test_get_reports_refuses_what_amazon_refuses(raw, params, problem):
    answer = raw.get(f"{REPORTS}/reports", params=params)
    assert answer.status_code == 400 and problem in answer.json()["errors"][0]["message"]


def test_get_reports_filters_by_status_and_pages_with_next_tokens(emu, raw):
    for _ in range(5):
        raw.post(f"{REPORTS}/reports", json={"reportType": FBA, "marketplaceIds": [MARKETPLACE_ID]})
    emu.state.config["polls_to_finish"] = 1
    done = [r for r in list(emu.state.reports)[:2]]
    for report_id in done:
        raw.get(f"{REPORTS}/reports/{report_id}")  # empty window: CANCELLED
    ids, token, pages = [], None, 0
    while True:
        params = {"nextToken": token} if token else {"reportTypes": FBA, "pageSize": 2,
                                                     "processingStatuses": "IN_QUEUE"}
        body = raw.get(f"{REPORTS}/reports", params=params).json()
        ids, token, pages = ids + [r["reportId"] for r in body["reports"]], body.get("nextToken"), pages + 1
        if not token:
            break
    assert pages == 2 and sorted(ids) == sorted(set(emu.state.reports) - set(done))
    cancelled = raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA, "processingStatuses": "CANCELLED"}).json()
    assert sorted(r["reportId"] for r in cancelled["reports"]) == sorted(done) and "nextToken" not in cancelled


def test_tokens_amazon_would_refuse_are_refused(emu, raw):
    for token in ("", "Atza|forged"):
        assert raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA},
                       headers={"x-amz-access-token": token}).status_code == 403
    emu.app.extensions["emulation"].tokens.expire_all()
    assert raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA}).status_code == 403
    refused = httpx.post(f"{emu.url}/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": "Atzr|x",
                                                           "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


def test_the_document_url_is_the_configured_storage_never_the_callers_host(emu, raw):
    emu.add(fba=[fba_row("171-0000031-0000031", "F", "L2")])
    emu.state.config["polls_to_finish"] = 1
    start = _iso(_now() - timedelta(days=5))
    report_id = raw.post(f"{REPORTS}/reports", json={"reportType": FBA, "marketplaceIds": [MARKETPLACE_ID],
                                                     "dataStartTime": start}).json()["reportId"]
    doc_id = raw.get(f"{REPORTS}/reports/{report_id}").json()["reportDocumentId"]
    forged = raw.get(f"{REPORTS}/documents/{doc_id}", headers={"Host": "attacker.example"}).json()
    assert forged["url"].startswith(f"{emu.url}/_storage/") and forged["compressionAlgorithm"] == "GZIP"
    emu.state.config["storage_url"] = "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com"
    assert raw.get(f"{REPORTS}/documents/{doc_id}").json()["url"].startswith(
        "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/_storage/")


def test_usage_plans_are_enforced_when_asked(emu, raw, fake_clock):
    emu.state.config["usage_plans"] = True
    answers = [raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA}) for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[-1].json()["errors"][0]["code"] == "QuotaExceeded"
    assert answers[-1].headers["x-amzn-RateLimit-Limit"] == "0.0222"
    fake_clock.advance(1 / 0.0222)
    assert raw.get(f"{REPORTS}/reports", params={"reportTypes": FBA}).status_code == 200
