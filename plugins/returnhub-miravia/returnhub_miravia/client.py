"""A thin client for Miravia's signed Open Platform gateway (Lazada-style): reverse orders, reject reasons,
accept and reject.

Signing is the SDK's (:func:`hub.sdk.signing.lazada_signer`: ``app_key``, ``timestamp`` in ms,
``sign_method=sha256``, ``access_token`` and ``sign`` over the API path and every sorted parameter); the access
token is the SDK's :class:`OAuth2RefreshToken` with the gateway's ``/auth/token/refresh`` exchange, renewed ahead
of its expiry and once more when the gateway answers ``IllegalAccessToken``; a rotated refresh token is saved
into the connection's settings. Retries, Retry-After and the address guard are the core's (``ctx.http``).
"""
from __future__ import annotations

import json

import httpx

from hub.errors import AuthError, PermanentError, TransientError
from hub.http import raise_for_status
from hub.sdk.auth import OAuth2RefreshToken, TokenSigningAuth
from hub.sdk.signing import LAZADA_SECRET_PARAMS, lazada_signer
from hub.sdk.tokens import envelope, error_code, lazada_token_exchange

# Gateway error codes (Lazada Open Platform family; UNVERIFIED for Miravia): credentials the merchant must fix
AUTH_CODES = frozenset({"IllegalAccessToken", "MissingAccessToken", "IncompleteSignature", "InvalidSignature",
                        "InvalidAppKey", "AppKeyNotExist", "InvalidTimestamp"})
BUSY_CODES = frozenset({"ApiCallLimit", "AppCallLimit", "ServiceUnavailable", "ISP.ServiceUnavailable"})
TOKEN_REFUSED = frozenset({"IllegalAccessToken"})  # renew the token once and resend


class MiraviaRefused(PermanentError):
    """The gateway answered with an error ``code`` (the ``message`` says why)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"Miravia refused ({code}): {message}")
        self.code = code


def token_refused(response: httpx.Response) -> bool:
    """Whether the gateway refused the access token (it answers so with HTTP 200 and a code)."""
    return error_code(response) in TOKEN_REFUSED


class MiraviaClient:
    """Signed calls for one seller; ``close()`` when done."""

    def __init__(self, ctx, settings: dict):
        self.settings = settings
        gateway = settings["api_base_url"].rstrip("/")
        gateway_path = httpx.URL(gateway).path.rstrip("/")
        key, secret = settings["app_key"], settings["app_secret"]
        self.tokens = None
        auth = None
        if settings.get("refresh_token"):
            self.tokens = OAuth2RefreshToken(
                ctx, token_url=f"{gateway}/auth/token/refresh", client_id=key, client_secret=secret,
                refresh_token=settings["refresh_token"], rotating=True, margin=float(settings["renew_ahead"]),
                default_ttl=3600.0, on_refresh_token=self._save_refresh_token(ctx),
                exchange=lazada_token_exchange(ctx, gateway=gateway, app_key=key, app_secret=secret))
            auth = TokenSigningAuth(lambda token: lazada_signer(key, secret, token, gateway_path=gateway_path),
                                    self.tokens, expired=token_refused, secret_params=LAZADA_SECRET_PARAMS,
                                    secrets=[secret])
        budget = {"requests": int(settings.get("requests_per_second") or 5), "per_seconds": 1}
        self.http = ctx.http(gateway, auth=auth, operation="seller", rate_limit=budget,
                             headers={"Accept": "application/json"})

    @staticmethod
    def _save_refresh_token(ctx):
        def save(token: str) -> None:
            if ctx.save_settings is not None:
                ctx.save_settings({"refresh_token": token})
        return save

    def close(self) -> None:
        """Release the HTTP client."""
        self.http.close()

    def call(self, method: str, api_path: str, *, params: dict | None = None, form: dict | None = None,
             retry: bool = True) -> dict:
        """One signed call; the answer's JSON. AuthError / MiraviaRefused / TransientError otherwise."""
        if self.tokens is None:
            raise AuthError("the Miravia account is not connected: use 'Connect Miravia account'")
        response = self.http.request(method, api_path, params=params, data=form,
                                     extensions={"returnhub_retry": retry})
        body = envelope(response)
        code = error_code(response)
        if response.status_code in (401, 403) or code in AUTH_CODES:
            raise AuthError(f"Miravia refused the credentials ({code or response.status_code}): "
                            f"{body.get('message')}")
        if code in BUSY_CODES:
            raise TransientError(f"Miravia is busy ({code}): {body.get('message')}")
        raise_for_status(response)
        if code is not None:
            raise MiraviaRefused(code, str(body.get("message")))
        return body

    def reverse_orders(self, *, start_ms: int | None, end_ms: int | None, page_no: int, page_size: int,
                       reverse_order_id: str | None = None) -> dict:
        """One page of GET /reverse/getreverseordersforseller: ``data`` with ``total`` and ``items``."""
        params: dict = {"page_no": page_no, "page_size": page_size}
        if reverse_order_id is not None:
            params["reverse_order_id"] = reverse_order_id
        if start_ms is not None:
            params["reverse_order_line_time_range_start_time_stamp"] = start_ms
        if end_ms is not None:
            params["reverse_order_line_time_range_end_time_stamp"] = end_ms
        data = self.call("GET", self.settings["reverse_list_path"], params=params).get("data")
        return data if isinstance(data, dict) else {}

    def reject_reasons(self, reverse_order_line_id: str) -> list[dict]:
        """The reasons Miravia accepts for rejecting this line (``[{reason_id, text}]``)."""
        data = self.call("GET", self.settings["reasons_path"],
                         params={"reverse_order_line_id": reverse_order_line_id}).get("data")
        return [r for r in data or [] if isinstance(r, dict) and r.get("reason_id") not in (None, "")]

    def decide(self, verb: str, order_id: str, item_ids: list[str], extra: dict) -> dict:
        """POST accept|reject for these order items; not resent after a lost answer (the caller re-reads)."""
        form = {"OrderId": order_id, "OrderItemIdList": json.dumps([int(i) for i in item_ids]), **extra}
        path = self.settings["accept_path"] if verb == "accept" else self.settings["reject_path"]
        body = self.call("POST", path, form=form, retry=False)
        failed = [e for e in body.get("errors") or []] + [
            d for d in body.get("data") or [] if isinstance(d, dict) and d.get("status") not in (None, "SUCCESS")]
        if failed:
            raise MiraviaRefused("ITEM_FAILED", json.dumps(failed)[:300])
        return body
