"""Lightspeed eCom webhook verification: ``X-Signature`` is md5(raw body + secret) in hex, the secret being the
API secret (or, for a Lightspeed app, the app secret), as Lightspeed's community forum and staff describe it."""
from __future__ import annotations

import hashlib
import hmac

from hub.errors import AuthError


def signature(body: bytes, secret: str) -> str:
    """The signature Lightspeed sends for ``body``."""
    return hashlib.md5(body + secret.encode()).hexdigest()


def verify(headers: dict[str, str], body: bytes, secret: str) -> None:
    """Raise AuthError unless the ``X-Signature`` header matches the body."""
    got = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
    if not got or not hmac.compare_digest(signature(body, secret).encode(), got.strip().lower().encode()):
        raise AuthError("Lightspeed webhook signature does not match")
