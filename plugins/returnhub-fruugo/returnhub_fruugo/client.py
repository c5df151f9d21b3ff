"""A thin client for Fruugo's XML Order API: download orders between two times, confirm returned lines.

Retries, Retry-After, the address guard and the manifest's rate limit are the core's (``ctx.http``);
HTTP Basic is :class:`hub.sdk.auth.BasicAuth`. This client adds the form parameters and Fruugo's
plain-text error messages.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from hub.errors import PermanentError
from hub.http import describe_error, per_minute
from hub.http import raise_for_status as core_raise
from hub.sdk.auth import BasicAuth
from hub.sdk.cursor import iso, parse_time
from returnhub_fruugo import mapping


class ReturnRefused(PermanentError):
    """Fruugo refused a return confirmation (unknown order or line, a quantity that is not the whole line)."""


def fruugo_error(response: httpx.Response) -> str:
    """The core's account of an error answer plus the first 200 characters of Fruugo's message."""
    detail = " ".join(response.text.split())[:200]
    return f"{describe_error(response)}: {detail}" if detail else describe_error(response)


def raise_for_status(response: httpx.Response) -> None:
    """The core's error classes, with Fruugo's message."""
    core_raise(response, describe=fruugo_error)


class FruugoClient:
    """Calls to one retailer account; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        base = settings["api_base_url"].rstrip("/")
        self.settings = settings
        auth = BasicAuth(settings["username"], settings["password"])
        self.http = ctx.http(base, auth=auth, operation="orders", rate_limit=per_minute(settings.get("requests_per_minute")))

    def close(self) -> None:
        """Release the HTTP client."""
        self.http.close()

    def download(self, since: datetime, until: datetime | None = None) -> bytes:
        """The order XML of orders released between ``since`` and ``until``."""
        params = {"from": iso(since)}
        if until is not None:
            params["to"] = iso(until)
        resp = self.http.get(self.settings["download_path"], params=params)
        raise_for_status(resp)
        return resp.content

    def find_order(self, order_id: str, released: str):
        """The order element with this id, read by a download around its release time (None: not there)."""
        moment = parse_time(released)
        body = self.download(moment - timedelta(seconds=1), moment + timedelta(seconds=1))
        return next((o for o in mapping.parse_orders(body) if mapping.text(o, "orderId") == order_id), None)

    def confirm_return(self, order_id: str, items: list[tuple[str, str, int]]) -> bytes:
        """``POST`` the return of ``(fruugoProductId, fruugoSkuId, quantity)`` items; never re-sent (a lost
        answer may hide a done confirmation: the adapter re-reads the order instead)."""
        form: dict = {"orderId": order_id, "item": [f"{p},{s},{n}" for p, s, n in items]}
        if self.settings.get("return_reason"):
            form["returnReason"] = self.settings["return_reason"]
        resp = self.http.post(self.settings["return_path"], data=form, extensions={"returnhub_retry": False})
        if resp.status_code in (400, 404, 409):
            raise ReturnRefused(fruugo_error(resp))
        raise_for_status(resp)
        return resp.content
