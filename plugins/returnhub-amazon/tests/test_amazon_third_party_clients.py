"""Maintained SP-API clients from PyPI drive the emulator: Amazon's own Python SDK (amzn-sp-api) and the
community wrapper python-amazon-sp-api. Every call the plugin makes (LWA token, createReport, getReports,
getReport, getReportDocument and the document download) must work with them, over loopback, as with Amazon."""
from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from returnhub_amazon.emulator import CLIENT_ID, CLIENT_SECRET, FBA, MARKETPLACE_ID, MFN_FLAT, REFRESH_TOKEN, mfn_row

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _root_logging():
    """amzn-sp-api calls logging.basicConfig(INFO) on import: give the root logger back as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.fixture
def seeded(emu):
    emu.add(mfn=[mfn_row("RMA3RD1", "302-0000040-0000040", "SKU-3P", name="Grüner Becher")])
    emu.state.config["polls_to_finish"] = 2
    return emu


def _window():
    now = datetime.now(UTC).replace(microsecond=0)
    return now - timedelta(days=5), now - timedelta(minutes=5)


def test_amazons_own_sdk(seeded):
    spapi = pytest.importorskip("spapi")
    from spapi.api.reports_v2021_06_30.reports_api import ReportsApi
    from spapi.auth.credentials import SPAPIConfig
    from spapi.client import SPAPIClient
    from spapi.models.reports_v2021_06_30 import CreateReportSpecification
    from spapi.rest import ApiException

    config = SPAPIConfig(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN, region="EU")
    client = SPAPIClient(config, oauth_endpoint=f"{seeded.url}/auth/o2/token", endpoint=seeded.url)
    api = ReportsApi(client.api_client)
    start, end = _window()
    created = api.create_report(CreateReportSpecification(
        report_type=MFN_FLAT, marketplace_ids=[MARKETPLACE_ID], data_start_time=start, data_end_time=end))
    for _ in range(5):
        report = api.get_report(created.report_id)
        if report.processing_status == "DONE":
            break
    assert report.processing_status == "DONE" and report.data_start_time == start
    api.create_report(CreateReportSpecification(report_type=FBA, marketplace_ids=[MARKETPLACE_ID]))
    first = api.get_reports(report_types=[MFN_FLAT, FBA], processing_statuses=["DONE", "IN_QUEUE"], page_size=1)
    second = api.get_reports(next_token=first.next_token)
    assert {first.reports[0].report_id, second.reports[0].report_id} == {created.report_id, "50000000002"}
    assert second.next_token is None
    document = api.get_report_document(report.report_document_id)
    assert document.compression_algorithm == "GZIP"
    content = gzip.decompress(client.api_client.rest_client.pool_manager.request("GET", document.url).data)
    assert "RMA3RD1\t" in content.decode("utf-8") and "Grüner Becher" in content.decode("utf-8")
    with pytest.raises(ApiException) as refused:
        api.create_report(CreateReportSpecification(report_type="GET_NOT_A_REPORT", marketplace_ids=[MARKETPLACE_ID]))
    assert refused.value.status == 400
    assert spapi and {c.headers.get("User-Agent", "").split("/")[0] for c in seeded.calls("createReport")} == {
        "amazon-selling-partner-api-sdk"}


def test_the_community_wrapper(seeded):
    sp_api = pytest.importorskip("sp_api")
    from sp_api.api import ReportsV2
    from sp_api.auth import AccessTokenClient
    from sp_api.base import ProcessingStatus, SellingApiException

    class LoopbackLwa(AccessTokenClient):
        """The wrapper's LWA client, pointed at the emulator (its host is a class attribute)."""
        scheme, host = "http://", seeded.url.removeprefix("http://")

    credentials = {"refresh_token": REFRESH_TOKEN, "lwa_app_id": CLIENT_ID, "lwa_client_secret": CLIENT_SECRET}
    # The wrapper takes its endpoint from a Marketplaces member; this one carries the emulator's URL.
    marketplace = SimpleNamespace(endpoint=seeded.url, marketplace_id=MARKETPLACE_ID, region="eu-west-1")
    reports = ReportsV2(marketplace=marketplace, credentials=credentials, auth_token_client_class=LoopbackLwa)
    start, end = _window()
    created = reports.create_report(reportType=MFN_FLAT, dataStartTime=start.isoformat(), dataEndTime=end.isoformat(),
                                    marketplaceIds=[MARKETPLACE_ID])
    report_id = created.payload["reportId"]
    for _ in range(5):
        report = reports.get_report(report_id).payload
        if report["processingStatus"] == "DONE":
            break
    assert report["processingStatus"] == "DONE"
    listed = reports.get_reports(reportTypes=[MFN_FLAT], processingStatuses=[ProcessingStatus.DONE],
                                 marketplaceIds=[MARKETPLACE_ID])
    assert [r["reportId"] for r in listed.payload["reports"]] == [report_id] and listed.next_token is None
    document = reports.get_report_document(report["reportDocumentId"], download=True)
    assert "RMA3RD1\t" in document.payload["document"] and "Grüner Becher" in document.payload["document"]
    # The wrapper sends a Host header cut from an https:// endpoint ("27.0.0.1:…" here): the document URL
    # is the emulator's configured storage, so the download above still worked.
    assert all(c.headers.get("Host", "").startswith("27.0.0.1") for c in seeded.calls("getReportDocument"))
    with pytest.raises(SellingApiException):
        reports.get_reports(reportTypes=[MFN_FLAT], processingStatuses=["FINISHED"])
    assert sp_api
