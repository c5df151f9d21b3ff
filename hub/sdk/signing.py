"""HMAC-SHA256 request signing recipes (Kaufland, TikTok Shop, Lazada-style gateways such as Miravia) for
:class:`hub.sdk.auth.SigningAuth` and :class:`hub.sdk.auth.TokenSigningAuth`.

Each scheme is a pure function (usable by an emulator to verify what it receives) and a signer
built on it. They are also worked examples for writing a signer of your own.

    from hub.sdk.signing import kaufland_auth
    client = ctx.http("https://sellerapi.kaufland.com", auth=kaufland_auth(s["client_key"], s["secret_key"]))
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from hub.sdk.auth import Signature, SigningAuth, ToSign

KAUFLAND_SECRET_HEADERS = ("Shop-Client-Key", "Shop-Signature")
TIKTOK_SECRET_PARAMS = ("sign", "access_token")
TIKTOK_SECRET_HEADERS = ("x-tts-access-token",)
LAZADA_SECRET_PARAMS = ("sign", "access_token")


def hmac_sha256_hex(secret: str | bytes, message: str | bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` under ``secret`` (str is UTF-8 encoded)."""
    key = secret.encode() if isinstance(secret, str) else secret
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(key, data, hashlib.sha256).hexdigest()


# --- Kaufland Seller API v2 ----------------------------------------------------------------------

def kaufland_signature(secret_key: str, method: str, url: str, body: bytes | str, timestamp: int | str) -> str:
    """Kaufland's ``Shop-Signature``: HMAC-SHA256 hex over ``METHOD\\nFULL_URL\\nBODY\\nTIMESTAMP``."""
    text = body.decode() if isinstance(body, bytes) else body
    return hmac_sha256_hex(secret_key, f"{method.upper()}\n{url}\n{text}\n{timestamp}")


def kaufland_signer(client_key: str, secret_key: str):
    """A signer adding ``Shop-Client-Key``, ``Shop-Timestamp`` (Unix seconds) and ``Shop-Signature``."""
    def sign(req: ToSign) -> Signature:
        stamp = str(int(req.time))
        return Signature(headers={
            "Shop-Client-Key": client_key,
            "Shop-Timestamp": stamp,
            "Shop-Signature": kaufland_signature(secret_key, req.method, str(req.url), req.body, stamp),
        })
    return sign


def kaufland_auth(client_key: str, secret_key: str) -> SigningAuth:
    """SigningAuth for Kaufland, its key headers redacted everywhere."""
    return SigningAuth(kaufland_signer(client_key, secret_key), secret_headers=KAUFLAND_SECRET_HEADERS,
                       secrets=[client_key, secret_key])


# --- TikTok Shop Partner API (202309) --------------------------------------------------------------

def tiktok_signature(app_secret: str, path: str, params: Iterable[tuple[str, str]], body: bytes | str) -> str:
    """TikTok Shop's ``sign``: HMAC-SHA256 hex under the app secret over
    ``secret + path + k1v1k2v2… (sorted by key, without sign and access_token) + body + secret``."""
    text = body.decode() if isinstance(body, bytes) else body
    pairs = "".join(f"{k}{v}" for k, v in sorted(params) if k not in ("sign", "access_token"))
    return hmac_sha256_hex(app_secret, f"{app_secret}{path}{pairs}{text}{app_secret}")


def tiktok_signer(app_key: str, app_secret: str, access_token: str | None = None):
    """A signer adding the ``app_key``, ``timestamp`` and ``sign`` parameters (and ``x-tts-access-token``).

    For a refreshed token, give :class:`hub.sdk.auth.TokenSigningAuth` ``lambda t: tiktok_signer(key, secret, t)``.
    """
    def sign(req: ToSign) -> Signature:
        params = {"app_key": app_key, "timestamp": str(int(req.time))}
        query = [(k, v) for k, v in req.query if k not in params] + list(params.items())
        params["sign"] = tiktok_signature(app_secret, req.path, query, req.body)
        headers = {"x-tts-access-token": access_token} if access_token else {}
        return Signature(headers=headers, params=params)
    return sign


def tiktok_auth(app_key: str, app_secret: str, access_token: str | None = None) -> SigningAuth:
    """SigningAuth for TikTok Shop, ``sign`` and the access token redacted everywhere."""
    return SigningAuth(tiktok_signer(app_key, app_secret, access_token), secret_headers=TIKTOK_SECRET_HEADERS,
                       secret_params=TIKTOK_SECRET_PARAMS, secrets=[app_secret, access_token])


# --- Lazada Open Platform gateways (Miravia, Lazada) ----------------------------------------------

def lazada_signature(app_secret: str, api_path: str, params: Iterable[tuple[str, str]]) -> str:
    """The gateway's ``sign``: upper-case hex HMAC-SHA256 under the app secret over the API path (``/order/get``)
    followed by ``k1v1k2v2…`` of every parameter but ``sign``, sorted by name (system and business ones alike)."""
    pairs = "".join(f"{k}{v}" for k, v in sorted(params) if k != "sign")
    return hmac_sha256_hex(app_secret, f"{api_path}{pairs}").upper()


def form_params(req: ToSign) -> list[tuple[str, str]]:
    """The parameters of a form-encoded body (what a gateway reads besides the query string)."""
    if not req.body or "application/x-www-form-urlencoded" not in req.headers.get("content-type", ""):
        return []
    return parse_qsl(req.body.decode(), keep_blank_values=True)


def lazada_signer(app_key: str, app_secret: str, access_token: str | None = None, *, gateway_path: str = "/rest",
                  clock_ms: Callable[[float], int] = lambda t: int(t * 1000)):
    """A signer adding ``app_key``, ``timestamp`` (ms), ``sign_method=sha256``, ``access_token`` (when given)
    and ``sign`` to the query; the API path is the request path after ``gateway_path`` (``/rest``)."""
    def sign(req: ToSign) -> Signature:
        path = req.path[len(gateway_path):] if gateway_path and req.path.startswith(gateway_path) else req.path
        params = {"app_key": app_key, "timestamp": str(clock_ms(req.time)), "sign_method": "sha256"}
        if access_token:
            params["access_token"] = access_token
        own = [(k, v) for k, v in [*req.query, *form_params(req)] if k not in params and k != "sign"]
        params["sign"] = lazada_signature(app_secret, path, [*own, *params.items()])
        return Signature(params=params)
    return sign


def lazada_auth(app_key: str, app_secret: str, access_token: str | None = None, *,
                gateway_path: str = "/rest") -> SigningAuth:
    """SigningAuth for a Lazada-style gateway with a fixed token (or none: the token calls themselves)."""
    return SigningAuth(lazada_signer(app_key, app_secret, access_token, gateway_path=gateway_path),
                       secret_params=LAZADA_SECRET_PARAMS, secrets=[app_secret, access_token])
