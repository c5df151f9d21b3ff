"""A thin client for the Returns v3 and Orders v4 interfaces of the OTTO Market API.

Auth is the SDK's client-credentials grant (tokens cached per connection, renewed ahead of their
30 minutes and once on a 401); retries, Retry-After, the address guard and the rate limit are the
core's (``ctx.http``). This client adds the paths, the JSON bodies and the multi-status reading.
"""
from __future__ import annotations

from urllib.parse import quote

import httpx

from hub.errors import PermanentError
from hub.http import raise_for_status
from hub.sdk.auth import OAuth2ClientCredentials

JSON = "application/json;charset=UTF-8"


def next_link(response: httpx.Response) -> str | None:
    """The ``links[rel=next].href`` of a list answer (None on the last page)."""
    body = response.json()
    links = body.get("links") if isinstance(body, dict) else None
    return next((link.get("href") for link in links or [] if isinstance(link, dict) and link.get("rel") == "next"),
                None)


class OttoClient:
    """Authenticated calls for one seller app; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        base = settings["api_base_url"].rstrip("/")
        self.auth = OAuth2ClientCredentials(
            ctx, token_url=f"{base}{settings.get('token_path') or '/v1/token'}", client_id=settings["client_id"],
            client_secret=settings["client_secret"], scope=settings.get("scopes") or None, default_ttl=1800.0)
        budget = {"requests": int(settings.get("requests_per_second") or 20), "per_seconds": 1}
        self.http = ctx.http(base, auth=self.auth, headers={"Accept": JSON}, operation="otto", rate_limit=budget)

    def close(self) -> None:
        """Release the HTTP client."""
        self.http.close()

    def returns_page(self, url: str) -> httpx.Response:
        """One page of ``GET /v3/returns`` (the first page's URL or a next link); the raw answer."""
        resp = self.http.get(url)
        raise_for_status(resp)
        return resp

    @staticmethod
    def first_url(status: str, limit: int) -> str:
        """The first page of the returns list for one status."""
        return f"/v3/returns?status={quote(status)}&limit={int(limit)}"

    def order(self, sales_order_id: str) -> dict:
        """``GET /v4/orders/{salesOrderId}``: the order with its position items, products, prices, addresses."""
        resp = self.http.get(f"/v4/orders/{quote(str(sales_order_id), safe='')}")
        raise_for_status(resp)
        return resp.json()

    def order_or_none(self, sales_order_id: str) -> dict | None:
        """:meth:`order`, or None when OTTO answers 404 (no such order for this seller)."""
        resp = self.http.get(f"/v4/orders/{quote(str(sales_order_id), safe='')}")
        if resp.status_code == 404:
            return None
        raise_for_status(resp)
        return resp.json()

    def decide(self, kind: str, items: list[dict]) -> dict:
        """POST up to 200 items to ``/v3/returns/acceptance`` or ``/rejection``; the multi-status answer.

        Never re-sent by the client once sent: a lost answer may hide a done acceptance (the adapter
        reads the items' state before it sends again).
        """
        if kind not in ("acceptance", "rejection"):
            raise ValueError(kind)
        if not 1 <= len(items) <= 200:
            raise PermanentError(f"OTTO takes 1 to 200 position items per {kind} call, not {len(items)}")
        resp = self.http.post(f"/v3/returns/{kind}", json={"positionItems": items},
                              headers={"Content-Type": JSON}, extensions={"returnhub_retry": False})
        raise_for_status(resp)
        body = resp.json() if resp.content else {}
        return body if isinstance(body, dict) else {}
