"""The one injectable clock: the core, the emulators and the kit read time through it.

Production uses :class:`SystemClock`. Tests install a :class:`FakeClock` with :func:`use` (or the
``fake_clock`` fixture of :mod:`hub.testing`) and move time on with ``advance`` instead of sleeping,
so no test depends on how fast the machine is. Time read before a clock is installed is the
system's. Code should call the module functions (``clock.now()``, ``clock.monotonic()``,
``clock.sleep()``) at the moment it needs time, never keep a clock object of its own.
"""
from __future__ import annotations

import threading
import time as _time
from contextlib import contextmanager
from datetime import UTC, datetime


class Clock:
    """What a clock gives: wall time (aware UTC and epoch seconds), a monotonic reading, a sleep."""

    def time(self) -> float:
        raise NotImplementedError

    def monotonic(self) -> float:
        raise NotImplementedError

    def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Block until ``event`` is set or ``seconds`` of this clock pass; whether the event is set."""
        raise NotImplementedError

    def now(self) -> datetime:
        """Aware UTC datetime of :meth:`time`."""
        return datetime.fromtimestamp(self.time(), UTC)


class SystemClock(Clock):
    """The machine's clock."""

    def time(self) -> float:
        return _time.time()

    def monotonic(self) -> float:
        return _time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            _time.sleep(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))


class FakeClock(Clock):
    """Time that moves only when told: ``advance(s)``, or ``sleep(s)`` which records the wait and advances.

    Thread-safe; ``monotonic`` moves with ``time``. ``slept`` lists every sleep, so a test can check that
    a Retry-After was honoured without waiting for it.
    """

    def __init__(self, start: float | datetime | None = None):
        if isinstance(start, datetime):
            start = start.timestamp()
        self._now = _time.time() if start is None else float(start)
        self._mono = 1_000_000.0
        self._lock = threading.Lock()
        self._moved = threading.Condition(self._lock)
        self._waiting = 0
        self.slept: list[float] = []

    def time(self) -> float:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never back)."""
        with self._moved:
            step = max(0.0, float(seconds))
            self._now += step
            self._mono += step
            self._moved.notify_all()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(float(seconds))
        self.advance(seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Returns once ``event`` is set (seen within a few milliseconds) or another thread advanced
        the clock by ``seconds``; a background loop on a fake clock thus runs as time is moved."""
        with self._moved:
            deadline = self._mono + max(0.0, float(seconds))
            self._waiting += 1
            try:
                while not event.is_set() and self._mono < deadline:
                    self._moved.wait(0.01)
            finally:
                self._waiting -= 1
        return event.is_set()

    @property
    def waiting(self) -> int:
        """How many threads are blocked in :meth:`wait` now: a test advances once its loop is waiting."""
        with self._lock:
            return self._waiting

    def set(self, when: float | datetime) -> None:
        """Jump wall time to ``when`` (forward or back; monotonic time still only moves forward)."""
        if isinstance(when, datetime):
            when = when.timestamp()
        with self._moved:
            self._mono += max(0.0, float(when) - self._now)
            self._now = float(when)
            self._moved.notify_all()


_SYSTEM = SystemClock()
_current: Clock = _SYSTEM


def get() -> Clock:
    """The clock in force."""
    return _current


def install(clock: Clock | None) -> Clock:
    """Make ``clock`` the clock in force (None: the system's); gives the previous one."""
    global _current
    previous, _current = _current, clock or _SYSTEM
    return previous


@contextmanager
def use(clock: Clock):
    """``with clock.use(FakeClock()) as c:`` — the clock in force inside the block."""
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)


def now() -> datetime:
    """Aware UTC now."""
    return _current.now()


def time() -> float:
    """Epoch seconds now."""
    return _current.time()


def monotonic() -> float:
    """A monotonic reading, for intervals and deadlines."""
    return _current.monotonic()


def sleep(seconds: float) -> None:
    """Wait ``seconds`` (a fake clock records the wait and advances instead)."""
    _current.sleep(seconds)


def wait(event: threading.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` pass on the clock in force; whether it is set.

    For background loops (``while not clock.wait(stop, every): ...``) that a test drives by
    advancing a fake clock.
    """
    return _current.wait(event, seconds)
