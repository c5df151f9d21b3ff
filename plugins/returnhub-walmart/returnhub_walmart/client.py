"""A thin client for Walmart's Returns API (US Marketplace): list return orders by filter or ``nextCursor``,
read one return order, issue a refund.

Retries, Retry-After, the address guard and the manifest's rate limit are the core's (``ctx.http``);
the token and Walmart's headers are :class:`returnhub_walmart.auth.WalmartAuth`'s. This client adds
the seller's own budgets (settings), the JSON body and Walmart's error descriptions.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

import httpx

from hub.errors import PermanentError
from hub.http import describe_error, per_minute
from hub.http import raise_for_status as core_raise
from returnhub_walmart.auth import WalmartAuth

RETURNS = "/v3/returns"


class RefundRefused(PermanentError):
    """Walmart refused a refund (400: over-quantity, a line not refundable, a WFS return...)."""


def walmart_error(response: httpx.Response) -> str:
    """The core's account of an error answer, plus Walmart's own ``errors[0].description``."""
    text = describe_error(response)
    try:
        errors = response.json().get("errors")
        detail = errors[0].get("description") if isinstance(errors, list) and errors else None
    except (ValueError, AttributeError):
        detail = None
    return f"{text}: {' '.join(str(detail).split())[:200]}" if detail else text


def raise_for_status(response: httpx.Response) -> None:
    """The core's error classes, with Walmart's description in the message."""
    core_raise(response, describe=walmart_error)


class WalmartClient:
    """Calls to one seller account; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        base = settings["api_base_url"].rstrip("/")
        self.auth = WalmartAuth(ctx, base_url=base, client_id=settings["client_id"],
                                client_secret=settings["client_secret"], service_name=settings["service_name"],
                                channel_type=settings.get("channel_type"))
        self.http = ctx.http(base, auth=self.auth, operation="returns",
                             rate_limit=per_minute(settings.get("requests_per_minute")))
        self.refunds = ctx.http(base, auth=self.auth, operation="refunds",
                                rate_limit=per_minute(settings.get("refunds_per_minute")))

    def close(self) -> None:
        """Release the HTTP clients."""
        self.http.close()
        self.refunds.close()

    def list_returns(self, *, params: dict | None = None, next_cursor: str | None = None) -> httpx.Response:
        """One page of return orders: the first by ``params``, the next ones by Walmart's ``meta.nextCursor``
        (a query string such as ``?limit=100&offset=100...`` that is sent as given)."""
        if next_cursor:
            query = parse_qsl(next_cursor.lstrip("?"), keep_blank_values=True)
            resp = self.http.get(RETURNS, params=query)
        else:
            resp = self.http.get(RETURNS, params=params or {})
        raise_for_status(resp)
        return resp

    def get_return(self, return_order_id: str) -> dict | None:
        """The return order with this id (the RMA number), or None when Walmart has none."""
        rows = self.list_returns(params={"returnOrderId": return_order_id}).json().get("returnOrders") or []
        return next((r for r in rows if str(r.get("returnOrderId")) == return_order_id), None)

    def refund(self, return_order_id: str, customer_order_id: str, lines: list[tuple[int, int]]) -> dict:
        """``POST /v3/returns/{id}/refund`` for ``(returnOrderLineNumber, units)``; never re-sent once sent
        (a lost answer may hide a done refund: the adapter re-reads the return instead)."""
        body = {"customerOrderId": customer_order_id,
                "refundLines": [{"returnOrderLineNumber": number,
                                 "quantity": {"unitOfMeasure": "EACH", "measurementValue": units}}
                                for number, units in lines]}
        resp = self.refunds.post(f"{RETURNS}/{return_order_id}/refund", content=json.dumps(body),
                                 headers={"Content-Type": "application/json"},
                                 extensions={"returnhub_retry": False})
        if resp.status_code == 400:
            raise RefundRefused(walmart_error(resp))
        raise_for_status(resp)
        return resp.json()
