"""The HTTP client of the example API that ``emulator.py`` serves: replace its calls with the platform's.

Every request goes through ``ctx.http`` (the core's client: address guard, the manifest's rate limit,
retries honouring Retry-After, redacted logs) with an auth object from ``hub.sdk.auth``, which the
client calls again before every attempt (a retry is re-signed, an expired token renewed);
``raise_for_status`` turns answers into the errors the core understands (401/403 → AuthError,
429/5xx → TransientError, other 4xx → PermanentError).
"""
from __future__ import annotations

import httpx

from hub.http import raise_for_status
{%- if cookiecutter.auth == "api_key" %}
from hub.sdk.auth import ApiKeyAuth
{%- elif cookiecutter.auth == "bearer_token" %}
from hub.sdk.auth import BearerAuth
{%- elif cookiecutter.auth == "basic" %}
from hub.sdk.auth import BasicAuth
{%- elif cookiecutter.auth == "oauth2_client_credentials" %}
from hub.sdk.auth import OAuth2ClientCredentials
{%- else %}
from hub.sdk.auth import Signature, SigningAuth, ToSign
from hub.sdk.signing import hmac_sha256_hex
{%- endif %}
{%- if cookiecutter.auth == "oauth2_client_credentials" %}

TOKEN_PATH = "/oauth/token"  # the platform's token endpoint, relative to base_url
{%- elif cookiecutter.auth == "hmac" %}


def signer(client_key: str, secret_key: str):
    """The platform's signing scheme: HMAC-SHA256 (hex) of ``METHOD\\nPATH?QUERY\\nBODY\\nTIMESTAMP``,
    sent as ``X-Client-Key``, ``X-Timestamp`` (epoch seconds) and ``X-Signature``."""
    def sign(req: ToSign) -> Signature:  # called again before every attempt, with the time of that attempt
        stamp = str(int(req.time))
        target = req.url.raw_path.decode("ascii")  # path and query exactly as sent
        message = "\n".join([req.method.upper(), target, req.body.decode("utf-8"), stamp])
        return Signature(headers={"X-Client-Key": client_key, "X-Timestamp": stamp,
                                  "X-Signature": hmac_sha256_hex(secret_key, message)})
    return sign
{%- endif %}


def auth_for(ctx, settings: dict) -> httpx.Auth:
    """The auth object for the connection's credentials."""
{%- if cookiecutter.auth == "api_key" %}
    return ApiKeyAuth("X-Api-Key", settings["api_key"])
{%- elif cookiecutter.auth == "bearer_token" %}
    return BearerAuth(settings["access_token"])
{%- elif cookiecutter.auth == "basic" %}
    return BasicAuth(settings["username"], settings["password"])
{%- elif cookiecutter.auth == "oauth2_client_credentials" %}
    return OAuth2ClientCredentials(ctx, token_url=settings["base_url"].rstrip("/") + TOKEN_PATH,
                                   client_id=settings["client_id"], client_secret=settings["client_secret"],
                                   client_auth="basic")
{%- else %}
    return SigningAuth(signer(settings["client_key"], settings["secret_key"]),
                       secret_headers=["X-Client-Key", "X-Signature"],
                       secrets=[settings["client_key"], settings["secret_key"]])
{%- endif %}


class Client:
    """One connection's calls to the platform, through the core's HTTP client."""

    def __init__(self, ctx, settings: dict):
        self.http = ctx.http(settings["base_url"], auth=auth_for(ctx, settings))

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None
                ) -> httpx.Response:
        """The platform's answer; raises the core's errors for refusals and failures."""
        response = self.http.request(method, path, params=params, json=body)
        raise_for_status(response)
        return response

    def call(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        """The platform's JSON answer."""
        return self.request(method, path, params=params, body=body).json()
