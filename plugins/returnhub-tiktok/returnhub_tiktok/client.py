"""A thin, signed client for TikTok Shop's Return and Refund API (202309).

Signing is the SDK's (:func:`hub.sdk.signing.tiktok_auth`: ``app_key``, ``timestamp``, ``sign``, and the
``x-tts-access-token`` header, re-signed before every attempt); retries, Retry-After and the address guard
are the core's (``ctx.http``). This client adds ``shop_cipher``, the JSON envelope and the error mapping.
"""
from __future__ import annotations

import json

from hub.errors import AuthError, PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.signing import tiktok_auth

AUTH_CODES = frozenset({105001, 105002, 106001, 106011})  # UNVERIFIED: token / sign / timestamp errors


class TikTokRefused(PermanentError):
    """TikTok answered with a non-zero ``code`` (the ``message`` says why)."""

    def __init__(self, code: int, message: str):
        super().__init__(f"TikTok refused ({code}): {message}")
        self.code = code


class TikTokClient:
    """Signed calls to one shop; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        self.shop_cipher = settings["shop_cipher"]
        self.prefix = f"/return_refund/{settings.get('api_version') or '202309'}"
        budget = {"requests": int(settings.get("requests_per_second") or 10), "per_seconds": 1}
        auth = tiktok_auth(settings["app_key"], settings["app_secret"], settings["access_token"])
        self.http = ctx.http(settings["api_base_url"].rstrip("/"), auth=auth, operation="shop", rate_limit=budget,
                             headers={"Accept": "application/json"})

    def close(self) -> None:
        """Release the HTTP client."""
        self.http.close()

    def call(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        """One signed call; the envelope's ``data``. AuthError / TikTokRefused / TransientError otherwise."""
        query = {"shop_cipher": self.shop_cipher, **(params or {})}
        headers, content = {}, None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":"))
        resp = self.http.request(method, self.prefix + path, params=query, content=content, headers=headers,
                                 extensions={"returnhub_retry": True})
        envelope = _envelope(resp)
        code = envelope.get("code")
        if resp.status_code in (401, 403) or code in AUTH_CODES:
            raise AuthError(f"TikTok refused the credentials ({code}): {envelope.get('message')}")
        raise_for_status(resp)
        if code not in (0, None):
            raise TikTokRefused(int(code), str(envelope.get("message")))
        return envelope.get("data") or {}

    def search_returns(self, filters: dict, page_size: int, page_token: str | None) -> dict:
        """One page of POST /returns/search (``return_orders``, ``next_page_token``), oldest update first."""
        params = {"page_size": page_size, "sort_field": "update_time", "sort_order": "ASC"}
        if page_token:
            params["page_token"] = page_token
        return self.call("POST", "/returns/search", params=params, body=filters)

    def reject_reasons(self, return_id: str) -> list[dict]:
        """The reasons TikTok accepts for rejecting this return (``[{name, text}]``)."""
        data = self.call("GET", "/reject_reasons", params={"return_or_cancel_id": return_id})
        return [r for r in data.get("reasons") or [] if isinstance(r, dict) and r.get("name")]

    def decide(self, return_id: str, verb: str, body: dict, idempotency_key: str) -> dict:
        """POST /returns/{id}/approve|reject with the key; retried safely (TikTok de-duplicates by the key)."""
        return self.call("POST", f"/returns/{return_id}/{verb}", params={"idempotency_key": idempotency_key},
                         body=body)


def _envelope(resp) -> dict:
    try:
        data = resp.json()
    except ValueError:
        if resp.status_code >= 500 or resp.status_code == 429:
            raise_for_status(resp)
        raise TransientError(f"TikTok answered {resp.status_code} without JSON") from None
    return data if isinstance(data, dict) else {}
