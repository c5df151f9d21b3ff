"""A fake clock for the waits between retries: the kit checks Retry-After is honoured without waiting."""
from __future__ import annotations

import time


class FakeClock:
    """``sleep`` records the wait and moves ``now`` on instead of blocking; ``slept`` lists every wait."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(float(seconds))
        self.now += max(0.0, float(seconds))

    def time(self) -> float:
        return self.now
