"""Lightspeed eCom webhook verification: ``X-Signature`` is md5(raw body + API secret) in hex (the scheme of
Lightspeed's eCom webhook docs; an HMAC-SHA256 variant is a setting, see README UNVERIFIED)."""
from __future__ import annotations

import hashlib
import hmac

from hub.errors import AuthError


def signature(body: bytes, secret: str, scheme: str = "md5") -> str:
    """The signature Lightspeed sends for ``body`` under ``scheme``."""
    if scheme == "hmac_sha256":
        return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hashlib.md5(body + secret.encode()).hexdigest()


def verify(headers: dict[str, str], body: bytes, secret: str, scheme: str = "md5") -> None:
    """Raise AuthError unless the ``X-Signature`` header matches the body."""
    got = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
    if not got or not hmac.compare_digest(signature(body, secret, scheme).encode(), got.strip().lower().encode()):
        raise AuthError("Lightspeed webhook signature does not match")
