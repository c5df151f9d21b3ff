"""Thin Mirakl MMP seller API client over the core's HTTP factory: returns (RT), orders (OR11/OR28), account."""
from __future__ import annotations

import json

import httpx

from hub.errors import PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import ApiKeyAuth

BATCH_LIMIT = 100  # RT21/RT25/RT26/RT27/RT29 take at most 100 returns per call (spec maxItems)


class MiraklClient:
    """One operator's seller API for one shop key; ``shop_id`` is added when the user has several shops."""

    def __init__(self, ctx, settings: dict):
        self.settings = settings
        self.http = ctx.http(settings["base_url"], headers={"Accept": "application/json"},
                             auth=ApiKeyAuth("Authorization", settings["api_key"]))

    def close(self) -> None:
        self.http.close()

    def _params(self, params: dict | None = None) -> dict:
        out = dict(params or {})
        if self.settings.get("shop_id"):
            out["shop_id"] = self.settings["shop_id"]
        return out

    def get(self, path: str, params: dict | None = None) -> httpx.Response:
        resp = self.http.get(path, params=self._params(params))
        raise_for_status(resp)
        return resp

    def put(self, path: str, body: dict) -> dict:
        # Never repeated by the client once sent: a lost answer to an accept must not become a second accept;
        # the push is retried by the core, which reads the return's state first.
        resp = self.http.put(path, params=self._params(), json=body, extensions={"returnhub_retry": False})
        raise_for_status(resp)
        return _json(resp)

    # -- operations ---------------------------------------------------------------------------
    def list_returns(self, params: dict) -> httpx.Response:
        """RT11 with filters and seek paging (``limit``, ``page_token``)."""
        return self.get("/api/returns", params)

    def returns_by_id(self, ids: list[str]) -> dict[str, dict]:
        """RT11 for these return ids (at most 100), by id."""
        resp = self.list_returns({"return_id": list(ids), "limit": min(len(ids), BATCH_LIMIT)})
        return {str(r["id"]): r for r in _json(resp).get("data", [])}

    def orders(self, order_ids: list[str]) -> dict[str, dict]:
        """OR11 for these orders (at most 100), by order id."""
        if not order_ids:
            return {}
        resp = self.get("/api/orders", {"order_ids": ",".join(order_ids), "max": min(len(order_ids), 100)})
        return {str(o["order_id"]): o for o in _json(resp).get("orders", [])}

    def incident_orders(self, params: dict) -> httpx.Response:
        """OR11 of orders with an open incident (operators without the returns module)."""
        return self.get("/api/orders", {"has_incident": "true", **params})

    def batch(self, path: str, entries: list[dict]) -> tuple[set[str], dict[str, str]]:
        """A returns batch call (RT21/25/26/27/29): (ids that succeeded, {id: Mirakl's message} for the others)."""
        if len(entries) > BATCH_LIMIT:
            raise ValueError(f"at most {BATCH_LIMIT} returns per call")
        body = self.put(path, {"returns": entries})
        ok = {str(item.get("id")) for item in body.get("return_success") or []}
        errors = {str(item.get("id")): str(item.get("message") or "refused")
                  for item in body.get("return_errors") or []}
        return ok, errors

    def refund(self, refunds: list[dict]) -> dict:
        """OR28: refunds on order lines."""
        return self.put("/api/orders/refund", {"refunds": refunds})


def _json(resp: httpx.Response) -> dict:
    try:
        body = resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TransientError(f"{resp.request.method} {resp.request.url.path}: answer is not JSON") from None
    if not isinstance(body, dict):
        raise PermanentError(f"{resp.request.method} {resp.request.url.path}: unexpected answer")
    return body
