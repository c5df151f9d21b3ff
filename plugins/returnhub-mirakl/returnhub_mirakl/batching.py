"""Shares Mirakl's batch calls between the returns one push job sends at once.

The core calls ``push_decision`` once per return, from ``concurrency`` threads of one job, on one
adapter. Each step of a push (read the returns, RT21 accept/refuse, RT25, RT26, RT27, RT29, OR28)
goes through a :class:`Coalescer`: a caller adds its entry and waits; one call carries every entry
waiting at that moment (at most 100). A batch goes out when every push in flight is waiting for one
and the job's ``concurrency`` pushes are all in flight, when it is full, or when every push in
flight waits and nothing has moved for ``wait`` seconds (the job has fewer returns left than
threads). Each caller gets its own entry's outcome, so one refused return never fails the others.
"""
from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Batch:
    entries: list = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    results: Any = None
    error: BaseException | None = None
    sending: bool = False


class Gate:
    """The pushes in flight on one adapter, and the condition every coalescer of that adapter waits on."""

    def __init__(self, expected: int, wait: float):
        self.cond = threading.Condition()
        self.expected = max(1, expected)
        self.wait = wait
        self.active = 0
        self.waiting = 0
        self.moved = _time.monotonic()  # the last enter, leave or submit: gathering ends after ``wait`` of quiet
        self.coalescers: list[Coalescer] = []

    def enter(self) -> None:
        with self.cond:
            self.active += 1
            self.moved = _time.monotonic()

    def leave(self) -> None:
        with self.cond:
            self.active -= 1
            self.moved = _time.monotonic()
            self.cond.notify_all()


class Coalescer:
    """``submit(entry)`` -> this entry's result of ``send(entries)``; ``send`` gives one result per entry."""

    def __init__(self, gate: Gate, send: Callable[[list], list], limit: int = 100):
        self.gate, self.send, self.limit = gate, send, limit
        self.open: _Batch | None = None
        gate.coalescers.append(self)

    def submit(self, entry) -> Any:
        gate = self.gate
        leader = False
        with gate.cond:
            if self.open is None or len(self.open.entries) >= self.limit:
                self.open = _Batch()
            batch = self.open
            index = len(batch.entries)
            batch.entries.append(entry)
            gate.waiting += 1
            gate.moved = _time.monotonic()
            gate.cond.notify_all()
            try:
                while not batch.sending:
                    everyone_waits = gate.waiting >= gate.active
                    all_here = everyone_waits and gate.active >= gate.expected
                    quiet = _time.monotonic() - gate.moved  # a latency bound, never a correctness condition
                    late = quiet >= gate.wait
                    if len(batch.entries) >= self.limit or all_here or (everyone_waits and late):
                        batch.sending = leader = True
                        if self.open is batch:
                            self.open = None
                        break
                    left = gate.wait - quiet
                    gate.cond.wait(timeout=max(0.001, left) if everyone_waits else 0.05)
            finally:
                if leader:
                    gate.waiting -= 1
        if leader:
            try:
                batch.results = self.send(list(batch.entries))
            except BaseException as exc:  # every member of the batch sees the failure
                batch.error = exc
            finally:
                with gate.cond:
                    # The members stop waiting now, not when their threads wake: one that wakes late must not
                    # count as waiting, or the next step would go out before the others reach it.
                    gate.waiting -= len(batch.entries) - 1
                    gate.moved = _time.monotonic()
                    batch.done.set()
                    gate.cond.notify_all()
        else:
            batch.done.wait()
        if batch.error is not None:
            raise batch.error
        return batch.results[index]
