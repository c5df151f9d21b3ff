"""A thin client for the Returns and Process Status resources of bol's Retailer API v10.

Retries, Retry-After, rate limits and the address guard are the core's (``ctx.http``); this
client only adds bol's OAuth token (reused until it expires, renewed once on a 401), the
versioned media type, and waiting on asynchronous process statuses.
"""
from __future__ import annotations

import json

from hub import clock
from hub.errors import AuthError, TransientError
from hub.http import raise_for_status

MEDIA_TYPE = "application/vnd.retailer.v10+json"
PAGE_SIZE = 50
HANDLE_EVENT = "HANDLE_RETURN_ITEM"
TOKEN_MARGIN = 15.0  # seconds before expiry at which a cached token is no longer used


class BolClient:
    def __init__(self, ctx, settings: dict):
        self.ctx = ctx
        self._client_id = settings["client_id"]
        self._secret = settings["client_secret"]
        self._wait = float(settings.get("process_status_timeout", 60.0))
        self._interval = float(settings.get("process_status_interval", 1.0))
        login = settings.get("login_base_url", "https://login.bol.com").rstrip("/")
        self._login = ctx.http(login, headers={"Accept": "application/json"})
        self._api = ctx.http(settings.get("api_base_url", "https://api.bol.com").rstrip("/"),
                             headers={"Accept": MEDIA_TYPE})
        suffix = "-demo" if settings.get("demo") else ""
        self.retailer = f"/retailer{suffix}"
        self.shared = f"/shared{suffix}"
        self._memo_key = f"bol-token:{login}:{self._client_id}"

    def close(self) -> None:
        self._api.close()
        self._login.close()

    # -- auth ---------------------------------------------------------------------------------
    def token(self, *, renew: bool = False) -> str:
        """A bearer token from ctx.memo while it is valid, else a new one from the login host."""
        cached = self.ctx.memo.get(self._memo_key)
        if cached and not renew and cached[1] > clock.monotonic():
            return cached[0]
        resp = self._login.post("/token", data={"grant_type": "client_credentials"},
                                auth=(self._client_id, self._secret))
        if resp.status_code in (400, 401, 403):
            raise AuthError(f"bol refused the API credentials ({resp.status_code} at the login host)")
        raise_for_status(resp)
        body = resp.json()
        ttl = float(body.get("expires_in") or 0)
        self.ctx.memo[self._memo_key] = (body["access_token"], clock.monotonic() + ttl - TOKEN_MARGIN)
        return body["access_token"]

    def _call(self, method: str, path: str, *, params=None, body=None, retry_sent: bool = True):
        headers = {}
        content = None
        if body is not None:
            headers["Content-Type"] = MEDIA_TYPE
            content = json.dumps(body)
        for renew in (False, True):
            headers["Authorization"] = f"Bearer {self.token(renew=renew)}"
            resp = self._api.request(method, path, params=params, content=content, headers=headers,
                                     extensions={"returnhub_retry": retry_sent})
            if resp.status_code != 401:
                break
        raise_for_status(resp)
        return resp.json() if resp.content else {}

    # -- returns ------------------------------------------------------------------------------
    def list_returns(self, fulfilment_method: str, page: int, *, handled: bool = False) -> list[dict]:
        """One page (up to 50) of returns; bol answers an empty page with ``{}``."""
        params = {"page": page, "handled": "true" if handled else "false",
                  "fulfilment-method": fulfilment_method}
        return self._call("GET", f"{self.retailer}/returns", params=params).get("returns") or []

    def get_return(self, return_id: str) -> dict:
        return self._call("GET", f"{self.retailer}/returns/{return_id}")

    def handle_return_item(self, rma_id: str, handling_result: str, quantity: int) -> dict:
        """PUT the handling of one return item; bol answers 202 with a PENDING process status.

        Not repeated by the core's client once sent (a lost answer may hide a handled item): the
        adapter looks the outcome up by rmaId instead. 429/503 answers, refused unprocessed, are.
        """
        return self._call("PUT", f"{self.retailer}/returns/{rma_id}", retry_sent=False,
                          body={"handlingResult": handling_result, "quantityReturned": quantity})

    # -- process status -----------------------------------------------------------------------
    def process_status(self, process_status_id: str) -> dict:
        return self._call("GET", f"{self.shared}/process-status/{process_status_id}")

    def process_statuses(self, entity_id: str, event_type: str = HANDLE_EVENT) -> list[dict]:
        """The newest page of statuses for an entity (bol sorts them newest first)."""
        params = {"entity-id": entity_id, "event-type": event_type, "page": 1}
        return self._call("GET", f"{self.shared}/process-status", params=params).get("processStatuses") or []

    def await_status(self, status: dict) -> dict:
        """Poll a process status until it leaves PENDING; TransientError when it takes too long."""
        deadline = clock.monotonic() + self._wait
        while status.get("status") == "PENDING":
            if clock.monotonic() >= deadline:
                raise TransientError(
                    f"bol process {status.get('processStatusId')} for {status.get('entityId')} "
                    f"still pending after {self._wait:.0f}s", retry_after=self._wait or None)
            clock.sleep(self._interval)
            status = self.process_status(status["processStatusId"])
        return status
