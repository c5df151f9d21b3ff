"""Waiting for a condition that another thread or process brings about: poll it, with a deadline that only
bounds the wait (it proves nothing about speed), for tests and benchmarks alike."""
from __future__ import annotations

import time
from collections.abc import Callable


def until(condition: Callable[[], object], what: str | Callable[[], str], timeout: float = 10.0,
          step: float = 0.01) -> None:
    """Poll ``condition`` every ``step`` seconds until it is true.

    After ``timeout`` seconds raise AssertionError naming ``what`` (a callable is asked only then, so the
    message can show what was last seen).
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}")
        time.sleep(step)
