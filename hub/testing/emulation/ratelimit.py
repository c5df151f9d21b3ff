"""Per-endpoint token buckets for emulators, refilled by :mod:`hub.clock` time (a fake clock refills
them only when advanced), answering like a platform: 429 with Retry-After."""
from __future__ import annotations

import math
import threading

from hub import clock


class TokenBucket:
    """``requests`` at once, refilling ``requests / per_seconds`` a second by ``hub.clock.monotonic``."""

    def __init__(self, requests: int, per_seconds: float):
        if requests < 1 or per_seconds <= 0:
            raise ValueError("a bucket needs requests >= 1 and per_seconds > 0")
        self.capacity = float(requests)
        self.rate = requests / per_seconds
        self.tokens = float(requests)
        self.stamp = clock.monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = clock.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self) -> float:
        """Spend a token: 0.0 when allowed, else the seconds until one is back (nothing is spent)."""
        with self._lock:
            self._refill()
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate

    @property
    def remaining(self) -> int:
        with self._lock:
            self._refill()
            return int(self.tokens)


class RateLimits:
    """Buckets by endpoint key (e.g. ``"GET /returns"``); ``check(key)`` gives the Retry-After or None."""

    def __init__(self):
        self.buckets: dict[str, TokenBucket] = {}

    def set(self, key: str, requests: int, per_seconds: float) -> TokenBucket:
        self.buckets[key] = TokenBucket(requests, per_seconds)
        return self.buckets[key]

    def check(self, key: str) -> int | None:
        """None when the request may pass; else whole seconds to wait (at least 1), as Retry-After says it."""
        bucket = self.buckets.get(key)
        if bucket is None:
            return None
        wait = bucket.take()
        return None if wait <= 0 else max(1, math.ceil(wait))
