"""Walmart's request headers around the SDK's OAuth2 client credentials: the token in WM_SEC.ACCESS_TOKEN,
WM_SVC.NAME and a fresh WM_QOS.CORRELATION_ID (a GUID) on every request, the token request included."""
from __future__ import annotations

import uuid

import httpx

from hub.sdk.auth import OAuth2ClientCredentials

TOKEN_PATH = "/v3/token"
TOKEN_HEADER = "WM_SEC.ACCESS_TOKEN"
CORRELATION_HEADER = "WM_QOS.CORRELATION_ID"
SERVICE_HEADER = "WM_SVC.NAME"
CHANNEL_HEADER = "WM_CONSUMER.CHANNEL.TYPE"


def service_headers(service_name: str, channel_type: str | None = None) -> dict[str, str]:
    """The fixed headers of every Walmart request (the correlation id is added per request)."""
    headers = {SERVICE_HEADER: service_name, "Accept": "application/json"}
    if channel_type:
        headers[CHANNEL_HEADER] = channel_type
    return headers


def correlate(request: httpx.Request) -> None:
    """A new GUID as WM_QOS.CORRELATION_ID (Walmart traces each call by it; it is no idempotency key)."""
    request.headers[CORRELATION_HEADER] = str(uuid.uuid4())


class _TokenContext:
    """The adapter context as the OAuth2 token request sees it: its clients carry Walmart's headers too
    (the token endpoint refuses a request without WM_SVC.NAME and WM_QOS.CORRELATION_ID)."""

    def __init__(self, ctx, headers: dict[str, str]):
        self._ctx, self._headers = ctx, headers
        self.connection_id = getattr(ctx, "connection_id", None)

    def http(self, base_url: str, *, headers: dict | None = None, **kwargs) -> httpx.Client:
        client = self._ctx.http(base_url, headers={**self._headers, **(headers or {})}, **kwargs)
        client.event_hooks["request"] = [correlate, *client.event_hooks.get("request", [])]
        return client


class WalmartAuth(OAuth2ClientCredentials):
    """``POST /v3/token`` (Basic client auth, form ``grant_type=client_credentials``), the token sent bare in
    ``WM_SEC.ACCESS_TOKEN``, renewed ahead of its 15 minutes and once on a 401; a fresh correlation id per
    attempt (retries included)."""

    def __init__(self, ctx, *, base_url: str, client_id: str, client_secret: str, service_name: str,
                 channel_type: str | None = None):
        self.fixed = service_headers(service_name, channel_type)
        super().__init__(_TokenContext(ctx, self.fixed), token_url=f"{base_url.rstrip('/')}{TOKEN_PATH}",
                         client_id=client_id, client_secret=client_secret, client_auth="basic",
                         header=TOKEN_HEADER, scheme=None, default_ttl=900.0)

    def apply(self, request: httpx.Request) -> None:
        super().apply(request)
        for name, value in self.fixed.items():
            request.headers.setdefault(name, value)
        correlate(request)
