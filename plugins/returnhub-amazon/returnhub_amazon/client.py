"""The SP-API calls the plugin makes, over the core's HTTP factory with hub.sdk's LWA auth and paginator."""
from __future__ import annotations

import gzip
from datetime import datetime
from urllib.parse import quote

import httpx

from hub.errors import PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import OAuth2RefreshToken
from hub.sdk.cursor import iso, parse_time
from hub.sdk.paging import TokenPaginator, walk
from returnhub_amazon.settings import RATE_LIMITED_OPERATIONS, base_url, operation_rate_limit

REPORTS = "/reports/2021-06-30"


class ReportsClient:
    """The Reports API operations used, the document download, and the restricted-data Orders calls.

    Each Reports API operation has its own client, so the core's limiter keeps a bucket per
    connection and operation (Amazon's usage plans are per operation) on top of the connection's.
    """

    def __init__(self, ctx, settings: dict):
        self.ctx, self.settings, self.base = ctx, settings, base_url(settings)
        # Login with Amazon: the refresh-token grant; the token goes bare in x-amz-access-token, and
        # Amazon refuses an expired one with 403, so a 403 renews once too.
        self.auth = OAuth2RefreshToken(
            ctx, token_url=settings["lwa_token_url"], client_id=settings["lwa_client_id"],
            client_secret=settings["lwa_client_secret"], refresh_token=settings["refresh_token"],
            header="x-amz-access-token", scheme=None, renew_on=(401, 403))
        self._clients: dict[tuple, httpx.Client] = {}

    def api(self, operation: str | None = None) -> httpx.Client:
        """An SP-API client with LWA auth; a rate-limited operation gets its own bucket."""
        if ("api", operation) not in self._clients:
            limit = operation_rate_limit(self.settings, operation) if operation in RATE_LIMITED_OPERATIONS else None
            self._clients["api", operation] = self.ctx.http(
                self.base, headers={"accept": "application/json"}, auth=self.auth,
                operation=operation if limit else None, rate_limit=limit)
        return self._clients["api", operation]

    def plain(self, url: httpx.URL) -> httpx.Client:
        """A client without Amazon auth for ``url``'s origin: pre-signed downloads, restricted-data calls."""
        origin = str(url.copy_with(path="/", query=None, fragment=None))
        if ("plain", origin) not in self._clients:
            self._clients["plain", origin] = self.ctx.http(origin)
        return self._clients["plain", origin]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients = {}

    def _json(self, operation: str, method: str, path: str, key: str, **kwargs) -> dict:
        resp = self.api(operation).request(method, f"{REPORTS}{path}", **kwargs)
        raise_for_status(resp)
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or key not in body:
            raise TransientError(f"{operation}: Amazon answered without {key!r}")
        return body

    def create_report(self, report_type: str, start: datetime, end: datetime) -> str:
        """createReport over [start, end]; Amazon's reportId."""
        return self._json("createReport", "POST", "/reports", "reportId", json={
            "reportType": report_type, "marketplaceIds": list(self.settings["marketplace_ids"]),
            "dataStartTime": iso(start), "dataEndTime": iso(end)})["reportId"]

    def find_report(self, report_type: str, start: datetime, end: datetime, since: datetime) -> str | None:
        """A live report of this type and window created since ``since``: one whose createReport answer was lost."""
        first = {"reportTypes": report_type, "processingStatuses": "IN_QUEUE,IN_PROGRESS,DONE",
                 "createdSince": iso(since), "pageSize": 100}

        def page(pager: TokenPaginator) -> httpx.Response:
            resp = self.api("getReports").get(f"{REPORTS}/reports", params=pager.params() or first)
            raise_for_status(resp)
            return resp

        for report in walk(page, TokenPaginator(token="nextToken", param="nextToken"), "reports", max_pages=10):
            window = [parse_time(report[k]) if report.get(k) else None for k in ("dataStartTime", "dataEndTime")]
            if window == [start, end]:
                return report["reportId"]
        return None

    def get_reports(self, report_type: str) -> dict:
        """getReports for one type, one result: the cheap call that proves access to the Reports API."""
        return self._json("getReports", "GET", "/reports", "reports", params={"reportTypes": report_type,
                                                                              "pageSize": 1})

    def get_report(self, report_id: str) -> dict:
        return self._json("getReport", "GET", f"/reports/{quote(report_id, safe='')}", "processingStatus")

    def document_bytes(self, document_id: str) -> tuple[bytes, str | None]:
        """The document's content (gunzipped when Amazon says GZIP, else plain) and its declared charset.

        The pre-signed URL lives five minutes: it is fetched at once, without any Amazon header, and
        one that has expired (403 from storage) is replaced by asking for the document again.
        """
        for _ in range(2):
            doc = self._json("getReportDocument", "GET", f"/documents/{quote(document_id, safe='')}", "url")
            url = httpx.URL(doc["url"])
            resp = self.plain(url).get(url)
            if resp.status_code != 403:  # storage refuses an expired signature with 403
                break
        else:
            raise TransientError(f"report document {document_id}: download refused twice (URL expired?)")
        raise_for_status(resp)
        compression = doc.get("compressionAlgorithm")
        if compression not in (None, "GZIP"):
            raise PermanentError(f"report document {document_id}: unknown compression {compression!r}")
        try:
            return (gzip.decompress(resp.content) if compression else resp.content), resp.charset_encoding
        except (OSError, EOFError) as exc:
            raise TransientError(f"report document {document_id}: broken gzip ({exc})") from exc

    def order_pii(self, order_id: str) -> tuple[dict, dict]:
        """(shipping address payload, buyer info payload) of an order, through one restricted data token."""
        path = f"/orders/v0/orders/{quote(order_id, safe='')}"
        resp = self.api().post("/tokens/2021-03-01/restrictedDataToken", json={"restrictedResources": [
            {"method": "GET", "path": f"{path}/address"}, {"method": "GET", "path": f"{path}/buyerInfo"}]})
        raise_for_status(resp)
        rdt = resp.json()["restrictedDataToken"]
        found = []
        for suffix in ("address", "buyerInfo"):
            answer = self.plain(httpx.URL(self.base)).get(f"{self.base}{path}/{suffix}",
                                                           headers={"x-amz-access-token": rdt})
            raise_for_status(answer)
            found.append(answer.json().get("payload") or {})
        return found[0], found[1]
