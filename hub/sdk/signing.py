"""HMAC-SHA256 request signing recipes (Kaufland, TikTok Shop) for :class:`hub.sdk.auth.SigningAuth`.

Each scheme is a pure function (usable by an emulator to verify what it receives) and a signer
built on it. They are also worked examples for writing a signer of your own.

    from hub.sdk.signing import kaufland_auth
    client = ctx.http("https://sellerapi.kaufland.com", auth=kaufland_auth(s["client_key"], s["secret_key"]))
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from hub.sdk.auth import Signature, SigningAuth, ToSign

KAUFLAND_SECRET_HEADERS = ("Shop-Client-Key", "Shop-Signature")
TIKTOK_SECRET_PARAMS = ("sign", "access_token")
TIKTOK_SECRET_HEADERS = ("x-tts-access-token",)


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
    """A signer adding the ``app_key``, ``timestamp`` and ``sign`` parameters (and ``x-tts-access-token``)."""
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
