"""A thin, signed client for the Returns, Return Units and Subscriptions resources of Kaufland's Seller API v2.

Retries, Retry-After, the address guard and the manifest's rate limit are the core's (``ctx.http``);
signing is the SDK's (:func:`hub.sdk.signing.kaufland_auth`, re-signed before every attempt). This
client adds the seller's own request budget (a setting), the JSON headers and the error mapping.
"""
from __future__ import annotations

import json

from hub.errors import AuthError, PermanentError
from hub.http import describe_error, raise_for_status
from hub.sdk.signing import kaufland_auth

PAGE_LIMIT = 100  # the spec's maximum for /returns and /return-units
SUBSCRIPTION_EVENTS = ("return_new",)


class RefusedAction(PermanentError):
    """Kaufland refused an action on a return unit (403 Request execution forbidden)."""


class KauflandClient:
    """Signed calls to one seller's account; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        budget = {"requests": int(settings.get("requests_per_second") or 111), "per_seconds": 1}
        self.base = settings["api_base_url"].rstrip("/")
        self.http = ctx.http(self.base, auth=kaufland_auth(settings["client_key"], settings["secret_key"]),
                             headers={"Accept": "application/json",
                                      "User-Agent": settings.get("user_agent") or "Returnhub"},
                             operation="seller", rate_limit=budget)

    def close(self) -> None:
        """Release the HTTP client."""
        self.http.close()

    def _call(self, method: str, path: str, *, params=None, body=None, retry_sent: bool = True):
        headers, content = {}, None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":"))
        resp = self.http.request(method, path, params=params, content=content, headers=headers,
                                 extensions={"returnhub_retry": retry_sent})
        if resp.status_code == 403 and method == "PATCH":
            raise RefusedAction(describe_error(resp))
        if resp.status_code == 403:
            raise AuthError(describe_error(resp))
        raise_for_status(resp)
        return resp

    # -- returns ------------------------------------------------------------------------------
    def list_returns(self, storefront: str, created_from: str | None, offset: int, *,
                     fulfilment: list[str], limit: int = PAGE_LIMIT):
        """One page of returns of a storefront, newest first; the raw answer (for the paginator)."""
        params = [("storefront", storefront), ("sort", "ts_created:desc"), ("limit", limit),
                  ("offset", offset)] + [("fulfillment_type", f) for f in fulfilment]
        if created_from:
            params.append(("ts_created_from_iso", created_from))
        return self._call("GET", "/returns", params=params)

    def get_return(self, id_return: str) -> dict:
        """A return with its buyer and return units embedded."""
        resp = self._call("GET", f"/returns/{id_return}",
                          params=[("embedded", "buyer"), ("embedded", "return_units")])
        return resp.json()["data"]

    def get_return_unit(self, id_return_unit: str) -> dict:
        """A return unit with its order unit (product, price, addresses) embedded."""
        resp = self._call("GET", f"/return-units/{id_return_unit}", params=[("embedded", "order_unit")])
        return resp.json()["data"]

    def act(self, id_return_unit: str, action: str, message: str | None = None) -> None:
        """PATCH /return-units/{id}/{accept|reject|repair|clarify}; never re-sent by the client once sent
        (a lost answer may hide a done action: the adapter re-reads the unit's status instead)."""
        body = {"message": message} if action in ("reject", "clarify") else None
        self._call("PATCH", f"/return-units/{id_return_unit}/{action}", body=body, retry_sent=False)

    # -- subscriptions ------------------------------------------------------------------------
    def subscriptions(self, storefront: str, event_name: str) -> list[dict]:
        """The seller's push-notification subscriptions for one storefront and event."""
        resp = self._call("GET", "/subscriptions", params={"storefront": storefront, "event_name": event_name})
        return resp.json().get("data") or []

    def subscribe(self, storefront: str, event_name: str, callback_url: str, email: str) -> dict:
        """Subscribe ``callback_url`` to ``event_name`` of a storefront (Kaufland then checks the URL)."""
        resp = self._call("POST", "/subscriptions", params={"storefront": storefront}, retry_sent=False,
                          body={"callback_url": callback_url, "fallback_email": email, "event_name": event_name})
        return resp.json()["data"]

    def update_subscription(self, id_subscription, **fields) -> dict:
        """Change a subscription (``is_active=True`` re-enables one Kaufland disabled)."""
        resp = self._call("PATCH", f"/subscriptions/{int(id_subscription)}", body=fields)
        return resp.json()["data"]
