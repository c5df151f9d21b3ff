"""The kit's fake clock is the core's: :class:`hub.clock.FakeClock` (``sleep`` records the wait in ``slept``).

Kept as a module so ``from hub.testing.kit.clock import FakeClock`` goes on working.
"""
from __future__ import annotations

from hub.clock import FakeClock

__all__ = ["FakeClock"]
