"""The ``Returnhub-Signature`` header: ``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`` (one v1 per valid secret)."""
from __future__ import annotations

import hashlib
import hmac

from hub import clock

HEADER = "Returnhub-Signature"
TOLERANCE = 300  # seconds a receiver should accept between t and its clock


def sign(body: bytes, secrets: list[str], timestamp: int | None = None) -> str:
    """The header value signing ``body`` with every secret (two during a rotation)."""
    t = int(clock.time()) if timestamp is None else timestamp
    signed = f"{t}.".encode() + body
    parts = [f"t={t}"] + [f"v1={hmac.new(s.encode(), signed, hashlib.sha256).hexdigest()}" for s in secrets]
    return ",".join(parts)


def verify(body: bytes, header: str, secret: str, tolerance: int = TOLERANCE, now: float | None = None) -> bool:
    """True when one v1 in ``header`` is the HMAC of ``t.body`` under ``secret`` and t is recent."""
    items = [part.split("=", 1) for part in (header or "").split(",") if "=" in part]
    timestamps = [v for k, v in items if k.strip() == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    t = int(timestamps[0])
    if abs((clock.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v.strip()) for k, v in items if k.strip() == "v1")
