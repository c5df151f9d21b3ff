"""Spreading each connection's periodic polls over their interval, so thousands of connections do not
all fall due at the same moment.

Every connection gets a fixed phase within the interval (from its id); its periods start at that
phase. The scheduler ticks ``SLOTS`` times per interval and queues the connections whose period
began since their last poll: each is polled once per interval, and each tick queues about a
``SLOTS``-th of them instead of all at once. A tick missed (scheduler down) is caught up by the next.
"""
from __future__ import annotations

import math
from datetime import datetime

SLOTS = 10
_MIX = 2654435761  # Knuth's multiplicative hash: consecutive ids get phases far apart


def tick_seconds(interval: int) -> int:
    """How often the scheduler looks for due connections, for polls every ``interval`` seconds."""
    return max(1, interval // SLOTS)


def phase(connection_id: int, interval: int) -> float:
    """The connection's offset within the interval, in seconds (fixed, evenly spread over the ids)."""
    return (connection_id * _MIX % 2**32) / 2**32 * interval


def period(connection_id: int, moment: datetime, interval: int) -> int:
    """The number of the connection's period ``moment`` falls in."""
    return math.floor((moment.timestamp() - phase(connection_id, interval)) / interval)


def is_due(connection_id: int, last: datetime | None, moment: datetime, interval: int) -> bool:
    """True when the connection was never polled or a new period of its own began since ``last``."""
    return last is None or period(connection_id, moment, interval) > period(connection_id, last, interval)
