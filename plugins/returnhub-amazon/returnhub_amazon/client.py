"""Thin SP-API client over the core's HTTP factory: LWA tokens, Reports API, documents, Orders PII."""
from __future__ import annotations

import gzip
import hashlib
import json
from urllib.parse import quote

import httpx

from hub import clock
from hub.errors import AuthError, PermanentError, TransientError
from hub.http import raise_for_status
from returnhub_amazon.settings import (
    RATE_LIMITED_OPERATIONS,
    base_url,
    operation_rate_limit,
)

REPORTS = "/reports/2021-06-30"
TOKEN_SLACK_SECONDS = 60  # refresh this long before the access token's announced expiry


class LwaTokens:
    """Login with Amazon access tokens from the refresh token, cached in ``ctx.memo`` until expiry."""

    def __init__(self, ctx, settings: dict):
        self.ctx = ctx
        self.settings = settings
        digest = hashlib.sha256(settings["refresh_token"].encode()).hexdigest()[:16]
        self.key = f"amazon:lwa:{settings['lwa_client_id']}:{digest}"

    def get(self, *, renew: bool = False) -> tuple[str, bool]:
        """(access token, freshly fetched?); a cached one unless ``renew`` or close to expiry."""
        cached = self.ctx.memo.get(self.key)
        if cached and not renew and cached[1] > clock.time() + TOKEN_SLACK_SECONDS:
            return cached[0], False
        token, expires_in = self._request()
        self.ctx.memo[self.key] = (token, clock.time() + expires_in)
        return token, True

    def _request(self) -> tuple[str, float]:
        url = self.settings["lwa_token_url"]
        with self.ctx.http(str(httpx.URL(url).copy_with(path="/", query=None))) as client:
            resp = client.post(url, data={
                "grant_type": "refresh_token",
                "refresh_token": self.settings["refresh_token"],
                "client_id": self.settings["lwa_client_id"],
                "client_secret": self.settings["lwa_client_secret"],
            })
        if resp.status_code in (400, 401) and _json(resp).get("error") in ("invalid_grant", "invalid_client"):
            # Never retried: the merchant has to authorize the app again (core: needs_reauth).
            raise AuthError(f"Login with Amazon refused the credentials ({_json(resp)['error']}): "
                            "reconnect the Amazon account")
        raise_for_status(resp)
        body = _json(resp)
        if not body.get("access_token"):
            raise TransientError("Login with Amazon answered without an access token")
        return body["access_token"], float(body.get("expires_in") or 3600)


class LwaAuth(httpx.Auth):
    """Sends ``x-amz-access-token``; a cached token Amazon rejects (401/403) is renewed once."""

    def __init__(self, tokens: LwaTokens):
        self.tokens = tokens

    def auth_flow(self, request):
        token, fresh = self.tokens.get()
        request.headers["x-amz-access-token"] = token
        response = yield request
        if response.status_code in (401, 403) and not fresh:
            request.headers["x-amz-access-token"] = self.tokens.get(renew=True)[0]
            yield request


class ReportsClient:
    """The Reports API operations used, the document download, and the restricted-data Orders calls.

    Each Reports API operation has its own client, so the core's limiter keeps a bucket per
    connection and operation (Amazon's usage plans are per operation) on top of the connection's.
    """

    def __init__(self, ctx, settings: dict):
        self.ctx = ctx
        self.settings = settings
        self.base = base_url(settings)
        self.tokens = LwaTokens(ctx, settings)
        self._api: dict[str | None, httpx.Client] = {}
        self._plain: dict[str, httpx.Client] = {}

    def api(self, operation: str | None = None) -> httpx.Client:
        """An SP-API client with LWA auth; a rate-limited operation gets its own bucket."""
        if operation not in self._api:
            limit = operation_rate_limit(self.settings, operation) if operation in RATE_LIMITED_OPERATIONS else None
            self._api[operation] = self.ctx.http(
                self.base, headers={"accept": "application/json"}, auth=LwaAuth(self.tokens),
                operation=operation if limit else None, rate_limit=limit)
        return self._api[operation]

    def plain(self, origin: str) -> httpx.Client:
        """A client without Amazon auth: pre-signed downloads and calls carrying their own token."""
        if origin not in self._plain:
            self._plain[origin] = self.ctx.http(origin)
        return self._plain[origin]

    def close(self) -> None:
        for client in [*self._api.values(), *self._plain.values()]:
            client.close()
        self._api, self._plain = {}, {}

    # --- Reports API -----------------------------------------------------------------------

    def create_report(self, report_type: str, start: str, end: str) -> str:
        """createReport over [start, end]; Amazon's reportId."""
        resp = self.api("createReport").post(f"{REPORTS}/reports", json={
            "reportType": report_type,
            "marketplaceIds": list(self.settings["marketplace_ids"]),
            "dataStartTime": start,
            "dataEndTime": end,
        })
        raise_for_status(resp)
        return _require(resp, "reportId")["reportId"]

    def get_reports(self, report_type: str) -> dict:
        """getReports for one type, one result: the cheap call that proves access to the Reports API."""
        resp = self.api("getReports").get(f"{REPORTS}/reports", params={"reportTypes": report_type, "pageSize": 1})
        raise_for_status(resp)
        return _require(resp, "reports")

    def get_report(self, report_id: str) -> dict:
        resp = self.api("getReport").get(f"{REPORTS}/reports/{quote(report_id, safe='')}")
        raise_for_status(resp)
        return _require(resp, "processingStatus")

    def get_report_document(self, document_id: str) -> dict:
        resp = self.api("getReportDocument").get(f"{REPORTS}/documents/{quote(document_id, safe='')}")
        raise_for_status(resp)
        return _require(resp, "url")

    def document_bytes(self, document_id: str) -> tuple[bytes, str | None]:
        """The document's content (gunzipped if Amazon says so) and its declared charset.

        The pre-signed URL lives five minutes: it is fetched at once, and one that has expired
        (403 from storage) is replaced by asking for the document again.
        """
        doc, resp = self._download(document_id)
        if resp.status_code == 403:  # storage refuses an expired signature with 403
            doc, resp = self._download(document_id)
            if resp.status_code == 403:
                raise TransientError(f"report document {document_id}: download refused twice (URL expired?)")
        raise_for_status(resp)
        content = resp.content
        if doc.get("compressionAlgorithm") == "GZIP":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError) as exc:
                raise TransientError(f"report document {document_id}: broken gzip ({exc})")
        elif doc.get("compressionAlgorithm"):
            raise PermanentError(f"report document {document_id}: unknown compression "
                                 f"{doc['compressionAlgorithm']!r}")
        return content, resp.charset_encoding

    def _download(self, document_id: str) -> tuple[dict, httpx.Response]:
        """getReportDocument, then its pre-signed URL at once, without any Amazon auth header."""
        doc = self.get_report_document(document_id)
        url = httpx.URL(doc["url"])
        return doc, self.plain(str(url.copy_with(path="/", query=None))).get(url)

    # --- restricted data (PII) -------------------------------------------------------------

    def order_pii(self, order_id: str) -> tuple[dict, dict]:
        """(shipping address payload, buyer info payload) of an order, through a restricted data token."""
        order_path = f"/orders/v0/orders/{quote(order_id, safe='')}"
        resp = self.api().post("/tokens/2021-03-01/restrictedDataToken", json={"restrictedResources": [
            {"method": "GET", "path": f"{order_path}/address"},
            {"method": "GET", "path": f"{order_path}/buyerInfo"},
        ]})
        raise_for_status(resp)
        rdt = _require(resp, "restrictedDataToken")["restrictedDataToken"]
        client = self.plain(self.base)
        found = []
        for suffix in ("address", "buyerInfo"):
            answer = client.get(f"{order_path}/{suffix}", headers={"x-amz-access-token": rdt})
            raise_for_status(answer)
            found.append(_json(answer).get("payload") or {})
        return found[0], found[1]


def _json(resp: httpx.Response) -> dict:
    try:
        body = resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _require(resp: httpx.Response, key: str) -> dict:
    body = _json(resp)
    if key not in body:
        raise TransientError(f"{resp.request.method} {resp.request.url.path}: answer without {key!r}")
    return body
