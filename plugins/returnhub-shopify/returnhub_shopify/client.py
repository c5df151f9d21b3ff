"""Thin Admin GraphQL client on hub.sdk: access token or client credentials, cost-based throttling, paging."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hub import clock
from hub.errors import AuthError, PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import BearerAuth, OAuth2ClientCredentials
from hub.sdk.paging import TokenPaginator

TOKEN_HEADER = "X-Shopify-Access-Token"
TOKEN_MARGIN = 300  # seconds before expiry at which a client-credentials token (24 h) is renewed


class CostBucket:
    """Shopify's leaky bucket as last reported in ``extensions.cost``, refilled by elapsed time.

    Lives in the adapter context's memo so it outlasts one adapter, as the bucket does on Shopify.
    """

    def __init__(self):
        self.available: float | None = None
        self.maximum = 0.0
        self.rate = 0.0
        self.at = 0.0
        self.costs: dict[str, float] = {}  # operation -> last requested cost

    def record(self, operation: str, cost: dict | None) -> None:
        if not cost:
            return
        status = cost.get("throttleStatus") or {}
        self.available = float(status.get("currentlyAvailable", 0))
        self.maximum = float(status.get("maximumAvailable", 0))
        self.rate = float(status.get("restoreRate", 0))
        self.at = clock.monotonic()
        if cost.get("requestedQueryCost") is not None:
            self.costs[operation] = float(cost["requestedQueryCost"])

    def wait_for(self, operation: str, needed: float | None = None) -> float:
        """Seconds until the bucket holds the cost of ``operation`` (0 when unknown or enough)."""
        needed = needed if needed is not None else self.costs.get(operation)
        if self.available is None or not needed or self.rate <= 0:
            return 0.0
        now = min(self.maximum, self.available + (clock.monotonic() - self.at) * self.rate)
        return max(0.0, (needed - now) / self.rate)


class ShopifyClient:
    """POSTs GraphQL documents to ``/admin/api/<version>/graphql.json`` of one store."""

    def __init__(self, ctx, settings: dict):
        shop = settings["shop_url"].rstrip("/")
        if settings.get("access_token"):
            auth = BearerAuth(settings["access_token"], header=TOKEN_HEADER, scheme=None)
        else:
            auth = OAuth2ClientCredentials(ctx, token_url=f"{shop}/admin/oauth/access_token",
                                           client_id=settings["client_id"], client_secret=settings["client_secret"],
                                           header=TOKEN_HEADER, scheme=None, margin=TOKEN_MARGIN)
        self.path = f"/admin/api/{settings['api_version']}/graphql.json"
        self.http = ctx.http(shop, auth=auth)
        self.bucket: CostBucket = ctx.memo.setdefault("shopify_bucket", CostBucket())
        self.max_wait = float(settings.get("max_throttle_wait", 10.0))

    def close(self) -> None:
        self.http.close()

    def execute(self, operation: str, document: str, variables: dict | None = None) -> dict[str, Any]:
        """The ``data`` of one operation; waits when the cost bucket is low.

        A THROTTLED answer is waited out once when the refill takes at most ``max_throttle_wait``;
        otherwise it becomes a TransientError whose retry_after is the refill time.
        """
        self._pause(self.bucket.wait_for(operation))
        body = self._post(operation, document, variables)
        if _throttled(body):
            wait = self._refill_time(operation, body)
            if wait > self.max_wait:
                raise TransientError(f"Shopify throttled {operation}", retry_after=wait)
            self._pause(wait)
            body = self._post(operation, document, variables)
            if _throttled(body):
                raise TransientError(f"Shopify throttled {operation}",
                                     retry_after=self._refill_time(operation, body))
        errors = body.get("errors")
        if errors:
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            text = "; ".join(str(e.get("message")) for e in errors)
            if "ACCESS_DENIED" in codes:
                raise AuthError(f"Shopify denied {operation}: {text}")
            if "INTERNAL_SERVER_ERROR" in codes:
                raise TransientError(f"Shopify failed {operation}: {text}")
            raise PermanentError(f"Shopify rejected {operation}: {text}")
        return body.get("data") or {}

    def _post(self, operation: str, document: str, variables: dict | None) -> dict:
        # A query may be re-sent by the core's transport after a lost answer; a mutation never is.
        resp = self.http.post(self.path, json={"query": document, "variables": variables or {},
                                               "operationName": operation},
                              extensions={"returnhub_retry": not document.lstrip().startswith("mutation")})
        raise_for_status(resp)
        body = resp.json()
        self.bucket.record(operation, (body.get("extensions") or {}).get("cost"))
        return body

    def _refill_time(self, operation: str, body: dict) -> float:
        cost = (body.get("extensions") or {}).get("cost") or {}
        return self.bucket.wait_for(operation, cost.get("requestedQueryCost")) or 1.0

    def _pause(self, seconds: float) -> None:
        if seconds > self.max_wait:
            raise TransientError("Shopify cost bucket is empty", retry_after=seconds)
        if seconds > 0:
            clock.sleep(seconds)

    def paginate(self, operation: str, document: str, variables: dict, path: list[str],
                 after: str | None = None) -> Iterator[dict]:
        """Every node of the connection at ``path`` in the data, from ``after`` on, following ``pageInfo``."""
        pager = TokenPaginator(after, token=lambda conn: conn["pageInfo"]["endCursor"],
                               more=lambda conn: conn["pageInfo"]["hasNextPage"])
        while not pager.finished:
            conn = self.execute(operation, document, {**variables, "after": pager.current_value})
            for key in path:
                conn = (conn or {}).get(key)
            if not conn:
                return
            yield from conn["nodes"]
            pager.advance(conn, conn["nodes"])

    def complete(self, conn: dict, operation: str, document: str, owner_id: str, path: list[str]) -> list[dict]:
        """Every node of an inner connection read within a bigger query: its first page, then the rest by
        ``document`` (variables ``id`` = ``owner_id`` and ``after``)."""
        if not conn["pageInfo"]["hasNextPage"]:
            return conn["nodes"]
        return conn["nodes"] + list(self.paginate(operation, document, {"id": owner_id}, path,
                                                  after=conn["pageInfo"]["endCursor"]))

def user_errors(payload: dict | None, operation: str) -> None:
    """Raise PermanentError for a mutation payload's ``userErrors`` (HTTP is 200 for these)."""
    errors = (payload or {}).get("userErrors") or []
    if errors:
        text = "; ".join(f"{'.'.join(e.get('field') or [])}: {e.get('message')}"
                         + (f" ({e['code']})" if e.get("code") else "") for e in errors)
        raise PermanentError(f"Shopify refused {operation}: {text}")


def _throttled(body: dict) -> bool:
    return any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in body.get("errors") or [])
