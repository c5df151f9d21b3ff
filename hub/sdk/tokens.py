"""Token calls of platforms whose access tokens are not issued by a standard OAuth2 POST.

Each ``*_exchange`` gives an ``exchange(fields) -> dict`` for :class:`hub.sdk.oauth.OAuth2RefreshToken`, which
keeps the token (cache, renewal ahead of expiry, rotated refresh tokens handed to ``on_refresh_token``); the
token then reaches requests through :class:`hub.sdk.auth.TokenSigningAuth`. Calls go through ``ctx.http``, so
they share the connection's rate limit and address guard; a refused grant raises :class:`AuthError`.

    tokens = OAuth2RefreshToken(ctx, token_url=f"{gateway}/auth/token/refresh", client_id=key, client_secret=secret,
                                refresh_token=rt, rotating=True, on_refresh_token=save,
                                exchange=lazada_token_exchange(ctx, gateway=gateway, app_key=key, app_secret=secret))
"""
from __future__ import annotations

from collections.abc import Callable

import httpx

from hub import clock
from hub.errors import AuthError, PermanentError
from hub.http import describe_error, raise_for_status
from hub.sdk.signing import lazada_auth

Exchange = Callable[[dict[str, str]], dict]


def envelope(response: httpx.Response) -> dict:
    """The JSON object of an answer ({} when it is not one); 429/5xx raise TransientError first."""
    if response.status_code == 429 or response.status_code >= 500:
        raise_for_status(response)
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_code(response: httpx.Response) -> str | None:
    """The gateway error ``code`` of an answer as text (``"0"``/``0`` mean success and give None)."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return None if code in (None, 0, "0") else str(code)


# --- TikTok Shop ------------------------------------------------------------------------------------

def tiktok_token_exchange(ctx, *, auth_base: str, app_key: str, app_secret: str) -> Exchange:
    """``GET {auth_base}/api/v2/token/refresh?app_key&app_secret&refresh_token&grant_type=refresh_token``.

    The answer is ``{code, message, data: {access_token, access_token_expire_in, refresh_token, ...}}`` where
    ``access_token_expire_in`` is the Unix time the token expires (not a duration); code 0 is success.
    """
    def exchange(fields: dict[str, str]) -> dict:
        params = {"app_key": app_key, "app_secret": app_secret, "refresh_token": fields["refresh_token"],
                  "grant_type": "refresh_token"}
        with ctx.http(auth_base, headers={"Accept": "application/json"}) as client:
            response = client.get("/api/v2/token/refresh", params=params, extensions={"returnhub_retry": False})
        body = envelope(response)
        code = body.get("code")
        if response.status_code in (400, 401, 403) or code not in (0, None):
            raise AuthError(f"TikTok Shop refused the refresh token ({code}: {body.get('message')}): "
                            "the seller must authorize the app again")
        raise_for_status(response)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        try:
            expires_in = max(0.0, float(data["access_token_expire_in"]) - clock.time())
        except (KeyError, TypeError, ValueError):
            expires_in = None  # unknown: the SDK assumes a short life
        return {"access_token": data.get("access_token"), "refresh_token": data.get("refresh_token"),
                "expires_in": expires_in}
    return exchange


# --- Lazada Open Platform gateways (Miravia) ----------------------------------------------------------

def lazada_token_call(ctx, *, gateway: str, app_key: str, app_secret: str, api_path: str,
                      params: dict[str, str]) -> dict:
    """A signed token call on the gateway (``/auth/token/create`` with ``code``, ``/auth/token/refresh`` with
    ``refresh_token``): the answer with ``access_token``, ``expires_in``, ``refresh_token``, ``refresh_expires_in``
    at its top level; a non-zero ``code`` raises AuthError. Never repeated after a lost answer."""
    gateway_path = httpx.URL(gateway).path.rstrip("/")
    auth = lazada_auth(app_key, app_secret, gateway_path=gateway_path)
    with ctx.http(gateway, auth=auth, headers={"Accept": "application/json"}) as client:
        response = client.post(api_path, data=params, extensions={"returnhub_retry": False})
    body = envelope(response)
    code = error_code(response)
    if response.status_code in (400, 401, 403) or code is not None:
        raise AuthError(f"the gateway refused the token call {api_path} ({code}: {body.get('message')}): "
                        "the seller must authorize the app again")
    raise_for_status(response)
    if not body.get("access_token"):
        raise PermanentError(f"{describe_error(response)}: the token answer has no access_token")
    return body


def lazada_token_exchange(ctx, *, gateway: str, app_key: str, app_secret: str,
                          api_path: str = "/auth/token/refresh") -> Exchange:
    """The refresh-token exchange of a Lazada-style gateway (see :func:`lazada_token_call`)."""
    def exchange(fields: dict[str, str]) -> dict:
        return lazada_token_call(ctx, gateway=gateway, app_key=app_key, app_secret=app_secret, api_path=api_path,
                                 params={"refresh_token": fields["refresh_token"]})
    return exchange
