"""A thin, signed client for TikTok Shop's Return and Refund API (202309).

Signing is the SDK's (:func:`hub.sdk.signing.tiktok_signer`: ``app_key``, ``timestamp``, ``sign``, and the
``x-tts-access-token`` header, re-signed before every attempt). With a refresh token the access token is the SDK's
:class:`OAuth2RefreshToken` (TikTok's ``GET /api/v2/token/refresh`` exchange, renewed ahead of its ~7-day expiry and
once more on 105001/105002; the rotated refresh token is saved into the connection's settings). Retries,
Retry-After and the address guard are the core's (``ctx.http``). This client adds ``shop_cipher``, the JSON
envelope and the error mapping.
"""
from __future__ import annotations

import json

import httpx

from hub.errors import AuthError, PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import OAuth2RefreshToken, TokenSigningAuth
from hub.sdk.signing import TIKTOK_SECRET_HEADERS, TIKTOK_SECRET_PARAMS, tiktok_auth, tiktok_signer
from hub.sdk.tokens import error_code, tiktok_token_exchange

AUTH_CODES = frozenset({105001, 105002, 106001, 106011})  # UNVERIFIED: token / sign / timestamp errors
TOKEN_REFUSED = frozenset({"105001", "105002"})  # invalid or expired access token: renew once and resend


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
        self.tokens = None
        if settings.get("refresh_token"):
            auth = self._refreshing_auth(ctx, settings)
        else:
            auth = tiktok_auth(settings["app_key"], settings["app_secret"], settings["access_token"])
        self.http = ctx.http(settings["api_base_url"].rstrip("/"), auth=auth, operation="shop", rate_limit=budget,
                             headers={"Accept": "application/json"})

    def _refreshing_auth(self, ctx, settings: dict) -> TokenSigningAuth:
        """Signed calls with the seller's access token renewed from the refresh token (GET
        /api/v2/token/refresh on the token host) ahead of its expiry, and once more on TikTok's 105001/105002."""
        key, secret, auth_base = settings["app_key"], settings["app_secret"], settings["auth_base_url"].rstrip("/")

        def save(token: str) -> None:
            if ctx.save_settings is not None:
                ctx.save_settings({"refresh_token": token})

        self.tokens = OAuth2RefreshToken(
            ctx, token_url=f"{auth_base}/api/v2/token/refresh", client_id=key, client_secret=secret,
            refresh_token=settings["refresh_token"], rotating=True, margin=float(settings.get("renew_ahead") or 3600),
            default_ttl=3600.0, on_refresh_token=save,
            exchange=tiktok_token_exchange(ctx, auth_base=auth_base, app_key=key, app_secret=secret))
        return TokenSigningAuth(lambda token: tiktok_signer(key, secret, token), self.tokens, expired=token_refused,
                                secret_headers=TIKTOK_SECRET_HEADERS, secret_params=TIKTOK_SECRET_PARAMS,
                                secrets=[secret])

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


def token_refused(response: httpx.Response) -> bool:
    """Whether TikTok refused the access token as invalid or expired (105001 / 105002)."""
    return error_code(response) in TOKEN_REFUSED


def _envelope(resp) -> dict:
    try:
        data = resp.json()
    except ValueError:
        if resp.status_code >= 500 or resp.status_code == 429:
            raise_for_status(resp)
        raise TransientError(f"TikTok answered {resp.status_code} without JSON") from None
    return data if isinstance(data, dict) else {}
