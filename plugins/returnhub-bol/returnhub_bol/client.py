"""A thin client for bol's Returns and Process Status resources (Retailer API v10): tokens, retries, rate limits
are the SDK's and the core's; it adds bol's media type, the demo paths and waiting on process statuses."""
from __future__ import annotations

from urllib.parse import quote

from hub import clock
from hub.errors import PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import OAuth2ClientCredentials

MEDIA_TYPE = "application/vnd.retailer.v10+json"
PAGE_SIZE = 50
HANDLE_EVENT = "HANDLE_RETURN_ITEM"
CREATE_EVENT = "CREATE_RETURN_ITEM"


class StatusExpired(PermanentError):
    """bol no longer keeps the process status (404: it is retained only for a while after completion)."""


class BolClient:
    """The calls the adapter makes, each one request through ``ctx.http`` with bol's OAuth2 token."""

    def __init__(self, ctx, settings: dict):
        login = settings.get("login_base_url", "https://login.bol.com").rstrip("/")
        auth = OAuth2ClientCredentials(ctx, token_url=f"{login}/token", client_id=settings["client_id"],
                                       client_secret=settings["client_secret"], client_auth="basic")
        self._api = ctx.http(settings.get("api_base_url", "https://api.bol.com").rstrip("/"),
                             headers={"Accept": MEDIA_TYPE}, auth=auth)
        self._wait = float(settings.get("process_status_timeout", 60.0))
        self._interval = float(settings.get("process_status_interval", 1.0))
        suffix = "-demo" if settings.get("demo") else ""
        self.retailer, self.shared = f"/retailer{suffix}", f"/shared{suffix}"

    def close(self) -> None:
        self._api.close()

    def _call(self, method: str, path: str, *, params=None, body=None, retry_sent: bool = True,
              content_type: str = MEDIA_TYPE) -> dict:
        headers = {"Content-Type": content_type} if body is not None else None
        resp = self._api.request(method, path, params=params, json=body, headers=headers,
                                 extensions={"returnhub_retry": retry_sent})
        raise_for_status(resp)
        return resp.json() if resp.content else {}

    def list_returns(self, fulfilment_method: str, params: dict) -> list[dict]:
        """One page (up to 50) of unhandled returns; bol answers an empty page with ``{}``."""
        query = {**params, "handled": "false", "fulfilment-method": fulfilment_method}
        return self._call("GET", f"{self.retailer}/returns", params=query).get("returns") or []

    def get_return(self, return_id: str) -> dict:
        return self._call("GET", f"{self.retailer}/returns/{return_id}")

    def handle_return_item(self, rma_id: str, handling_result: str, quantity: int) -> dict:
        """PUT the handling of one item (202 + a PENDING status); not resent once sent, as a lost answer may hide
        a handled item (429/503, refused before processing, are). The adapter looks a lost outcome up."""
        return self._call("PUT", f"{self.retailer}/returns/{rma_id}", retry_sent=False,
                          body={"handlingResult": handling_result, "quantityReturned": quantity})

    def order_or_none(self, order_id: str) -> dict | None:
        """``GET /retailer/orders/{order-id}``: the order with its items, or None on bol's 404."""
        resp = self._api.get(f"{self.retailer}/orders/{quote(str(order_id), safe='')}")
        if resp.status_code == 404:
            return None
        raise_for_status(resp)
        return resp.json()

    def create_return(self, order_item_id: str, handling_result: str, quantity: int) -> dict:
        """``POST /retailer/returns``: create a return for an order item and handle it at once (202 + a PENDING
        status, entity the order item); not resent once sent, the adapter looks a lost outcome up. Its body is
        plain ``application/json`` (the description's only media type for it), unlike the PUT's."""
        return self._call("POST", f"{self.retailer}/returns", retry_sent=False, content_type="application/json",
                          body={"orderItemId": order_item_id, "quantityReturned": quantity,
                                "handlingResult": handling_result})

    def process_status(self, process_status_id: str) -> dict:
        """One process status; :class:`StatusExpired` once bol has deleted it (a 404)."""
        resp = self._api.get(f"{self.shared}/process-status/{process_status_id}")
        if resp.status_code == 404:
            raise StatusExpired(f"bol no longer keeps process status {process_status_id}")
        raise_for_status(resp)
        return resp.json()

    def process_statuses(self, entity_id: str, event_type: str = HANDLE_EVENT) -> list[dict]:
        """The newest page of statuses for an entity (bol sorts them newest first; expired ones are gone)."""
        params = {"entity-id": entity_id, "event-type": event_type, "page": 1}
        return self._call("GET", f"{self.shared}/process-status", params=params).get("processStatuses") or []

    def await_status(self, status: dict) -> dict:
        """Poll a process status until it leaves PENDING; TransientError when that takes too long."""
        deadline = clock.monotonic() + self._wait
        while status.get("status") == "PENDING":
            if clock.monotonic() >= deadline:
                raise TransientError(f"bol process {status.get('processStatusId')} for {status.get('entityId')} "
                                     f"still pending after {self._wait:.0f}s", retry_after=self._wait or None)
            clock.sleep(self._interval)
            status = self.process_status(status["processStatusId"])
        return status
