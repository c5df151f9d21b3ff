"""The Allegro REST API calls the plugin makes, over the core's HTTP factory with hub.sdk's OAuth2 refresh token.

Retries, Retry-After, the address guard and the rate limit are the core's (``ctx.http``); the user
token is the SDK's :class:`OAuth2RefreshToken` (HTTP Basic client auth, renewed ahead of expiry and
once on a 401). Allegro sends a new refresh token with every renewal: it is saved into the
connection's settings through ``ctx.save_settings``, and ``rotating=True`` keeps the process-wide token
cache across those rotations (the next job's settings carry the saved token; the cache reuses its token).
"""
from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from hub.errors import AuthError, PermanentError, TransientError
from hub.http import describe_error, raise_for_status
from hub.sdk.auth import OAuth2RefreshToken
from returnhub_allegro.settings import ENVIRONMENTS

log = logging.getLogger(__name__)
BETA = "application/vnd.allegro.beta.v1+json"  # the customer-returns resources are [BETA]
PUBLIC = "application/vnd.allegro.public.v1+json"


class Refused(PermanentError):
    """Allegro refused an action (422 Unprocessable Entity, or 400/403/404 for the request itself)."""


def api_base(settings: dict) -> str:
    """The API host of these settings: the explicit URL or the environment's."""
    return (settings.get("api_base_url") or ENVIRONMENTS[settings["environment"]]["api"]).rstrip("/")


def auth_base(settings: dict) -> str:
    """The allegro.pl host whose /auth/oauth/* endpoints issue tokens (device codes, access tokens)."""
    return (settings.get("auth_base_url") or ENVIRONMENTS[settings["environment"]]["auth"]).rstrip("/")


class AllegroClient:
    """Calls on behalf of one seller; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        self.ctx, self.settings = ctx, settings
        if not settings.get("refresh_token"):
            self.auth = None
        else:
            self.auth = OAuth2RefreshToken(
                ctx, token_url=f"{auth_base(settings)}/auth/oauth/token", client_id=settings["client_id"],
                client_secret=settings["client_secret"], refresh_token=settings["refresh_token"],
                client_auth="basic", rotating=True, on_refresh_token=self._save_refresh_token)
        budget = {"requests": int(settings.get("requests_per_second") or 25), "per_seconds": 1}
        self.http = ctx.http(api_base(settings), auth=self.auth, operation="seller", rate_limit=budget,
                             headers={"Accept-Language": "en-US"})

    def close(self) -> None:
        self.http.close()

    def _save_refresh_token(self, token: str) -> None:
        save = getattr(self.ctx, "save_settings", None)
        if save is None:
            log.warning("Allegro rotated the refresh token of connection %s but the core offers no way to save "
                        "it; connect the account again when this one stops working", self.ctx.connection_id)
            return
        save({"refresh_token": token})

    def _call(self, method: str, path: str, media: str, *, params=None, body=None, retry_sent: bool = True,
              refused_on=(422,)) -> httpx.Response:
        if self.auth is None:
            raise AuthError("the Allegro account is not connected yet: use 'Connect Allegro account' on the "
                            "connection page")
        headers = {"Accept": media}
        if body is not None:
            headers["Content-Type"] = media
        resp = self.http.request(method, path, params=params, json=body, headers=headers,
                                 extensions={"returnhub_retry": retry_sent})
        if resp.status_code in refused_on:
            raise Refused(describe_error(resp))
        if resp.status_code == 403:
            raise AuthError(f"{describe_error(resp)}: the token lacks a scope (allegro:api:orders:read/write, "
                            "allegro:api:payments:read/write)")
        raise_for_status(resp)
        return resp

    @staticmethod
    def _json(resp: httpx.Response, key: str | None = None):
        try:
            body = resp.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or (key is not None and key not in body):
            raise TransientError(f"{describe_error(resp)}: Allegro answered without {key or 'a JSON object'!r}")
        return body

    # -- customer returns ---------------------------------------------------------------------
    def list_returns(self, created_from: str | None, offset: int, limit: int) -> httpx.Response:
        """One page of GET /order/customer-returns (the raw answer, for the paginator)."""
        params = {"limit": limit, "offset": offset}
        if created_from:
            params["createdAt.gte"] = created_from
        if self.settings.get("marketplace_id"):
            params["marketplaceId"] = self.settings["marketplace_id"]
        resp = self._call("GET", "/order/customer-returns", BETA, params=params)
        self._json(resp, "customerReturns")
        return resp

    def get_return(self, return_id: str) -> dict:
        """GET /order/customer-returns/{id}: the return as Allegro has it now."""
        return self._json(self._call("GET", f"/order/customer-returns/{quote(return_id, safe='')}", BETA))

    def reject(self, return_id: str, code: str, reason: str | None) -> dict:
        """POST .../rejection; never re-sent by the client once sent (the adapter re-reads the status)."""
        rejection = {"code": code, **({"reason": reason} if reason else {})}
        resp = self._call("POST", f"/order/customer-returns/{quote(return_id, safe='')}/rejection", BETA,
                          body={"rejection": rejection}, retry_sent=False, refused_on=(400, 404, 422))
        return self._json(resp)

    # -- orders and refunds ---------------------------------------------------------------------
    def checkout_form(self, order_id: str) -> dict | None:
        """GET /order/checkout-forms/{id}: line items, payment and addresses (None when Allegro has no such order)."""
        try:
            resp = self._call("GET", f"/order/checkout-forms/{quote(order_id, safe='')}", PUBLIC,
                              refused_on=(404, 422))
        except Refused:
            return None
        return self._json(resp, "lineItems")

    def refunds(self, order_id: str) -> list[dict]:
        """Every payment refund of an order (GET /payments/refunds?order.id=..., all pages)."""
        found, offset = [], 0
        while True:
            resp = self._call("GET", "/payments/refunds", PUBLIC,
                              params={"order.id": order_id, "limit": 100, "offset": offset})
            page = self._json(resp, "refunds")["refunds"] or []
            found += page
            offset += len(page)
            total = resp.json().get("totalCount")
            if not page or len(page) < 100 or (isinstance(total, int) and offset >= total):
                return found

    def refund(self, body: dict) -> dict:
        """POST /payments/refunds with the body's commandId. A retry of a request whose answer was lost
        sends the same commandId, which Allegro treats as the same command (no second refund)."""
        resp = self._call("POST", "/payments/refunds", PUBLIC, body=body, refused_on=(400, 404, 422))
        return self._json(resp, "id")
