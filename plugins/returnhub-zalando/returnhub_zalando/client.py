"""A thin client for the zDirect Orders API and the ZRS customer-returned-items API.

Auth is the SDK's client-credentials grant; retries, Retry-After and the address guard are the
core's (``ctx.http``). Each endpoint family has its own rate budget (research §4.2).
"""
from __future__ import annotations

from urllib.parse import quote

import httpx

from hub.http import per_minute, raise_for_status
from hub.sdk.auth import OAuth2ClientCredentials

JSONAPI = "application/vnd.api+json"


def _q(value) -> str:
    return quote(str(value), safe="")


class ZalandoClient:
    """Authenticated calls for one merchant; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        base = settings["api_base_url"].rstrip("/")
        self.merchant = _q(settings["merchant_id"])
        self.auth = OAuth2ClientCredentials(
            ctx, token_url=f"{base}{settings.get('token_path') or '/auth/token'}", client_id=settings["client_id"],
            client_secret=settings["client_secret"], scope=settings.get("scope") or None, default_ttl=7200.0)
        head = {"Accept": JSONAPI}
        self.orders_http = ctx.http(base, auth=self.auth, headers=head, operation="zalando-orders",
                                    rate_limit=per_minute(settings["orders_per_minute"]))
        self.lines_http = ctx.http(base, auth=self.auth, headers=head, operation="zalando-lines",
                                   rate_limit=per_minute(settings["lines_per_minute"]))
        self.zrs_http = ctx.http(base, auth=self.auth, headers={"Accept": "application/json"},
                                 operation="zalando-zrs",
                                 rate_limit={"requests": int(settings["zrs_per_second"]), "per_seconds": 1})

    def close(self) -> None:
        """Release the HTTP clients."""
        for http in (self.orders_http, self.lines_http, self.zrs_http):
            http.close()

    def orders(self, params: dict) -> dict:
        """``GET /merchants/{id}/orders`` with order items and lines included (JSON:API document)."""
        resp = self.orders_http.get(f"/merchants/{self.merchant}/orders",
                                    params={"include": "order_items,order_lines", **params})
        raise_for_status(resp)
        return resp.json()

    def order(self, order_id: str) -> dict:
        """``GET /merchants/{id}/orders/{order_id}`` with items and lines (JSON:API document)."""
        resp = self.lines_http.get(f"/merchants/{self.merchant}/orders/{_q(order_id)}",
                                   params={"include": "order_items,order_lines"})
        raise_for_status(resp)
        return resp.json()

    def order_or_none(self, order_id: str) -> dict | None:
        """:meth:`order`, or None when Zalando answers 404 (no such order for this merchant)."""
        resp = self.lines_http.get(f"/merchants/{self.merchant}/orders/{_q(order_id)}",
                                   params={"include": "order_items,order_lines"})
        if resp.status_code == 404:
            return None
        raise_for_status(resp)
        return resp.json()

    def set_returned(self, order_id: str, item_id: str, line_id: str, reason: int) -> None:
        """PATCH one order line to ``returned`` with a reason code (204). Never re-sent by the client: a lost
        answer may hide a done update, so the adapter reads the line before it sends again."""
        body = {"data": {"id": line_id, "type": "OrderLine", "attributes": {"status": "returned", "reason": reason}}}
        resp = self.lines_http.patch(
            f"/merchants/{self.merchant}/orders/{_q(order_id)}/items/{_q(item_id)}/lines/{_q(line_id)}",
            json=body, headers={"Content-Type": JSONAPI}, extensions={"returnhub_retry": False})
        raise_for_status(resp)

    def returned_items(self, date_from: str, date_to: str, page: int, limit: int) -> httpx.Response:
        """One page of ``GET /zrs/merchants/{id}/customer-returned-items`` for a date range (the raw answer)."""
        resp = self.zrs_http.get(f"/zrs/merchants/{self.merchant}/customer-returned-items",
                                 params={"date_between": f"{date_from},{date_to}", "page": page, "limit": limit})
        raise_for_status(resp)
        return resp
