"""Counters are batched per process: many increments cost one Redis round trip, arrive within about a
second without anyone flushing, and a forked child never sends its parent's pending counts again."""
from __future__ import annotations

import os
import threading
import time

from hub import metrics


def _calls(redis, plugin: str) -> int:
    value = redis.hget(metrics.PREFIX + "http_calls", plugin)
    return int(value) if value is not None else 0


def test_many_increments_one_round_trip(hub):
    metrics.flush()
    sent = []
    original = metrics._send
    metrics._send = lambda redis, counts: (sent.append(dict(counts)), original(redis, counts))
    try:
        for _ in range(250):
            metrics.count_http(hub.redis, "batchplugin", 200)
        metrics.count_http(hub.redis, "batchplugin", 503)
        assert _calls(hub.redis, "batchplugin") == 0, "nothing is sent per call"
        metrics.flush()
    finally:
        metrics._send = original
    assert _calls(hub.redis, "batchplugin") == 251
    assert int(hub.redis.hget(metrics.PREFIX + "http_errors", "batchplugin")) == 1
    assert len(sent) == 1, "one round trip for all of them"


def test_pending_counts_arrive_without_a_flush(hub):
    metrics.flush()
    metrics.count_http(hub.redis, "timerplugin", 200)
    deadline, pause = time.monotonic() + 30, threading.Event()
    while _calls(hub.redis, "timerplugin") != 1:  # a condition, with a generous bound for a slow machine
        assert time.monotonic() < deadline, "the pending count never reached Redis"
        pause.wait(0.05)


def test_a_forked_child_does_not_resend_its_parents_counts(hub):
    metrics.flush()
    metrics.count_http(hub.redis, "forkplugin", 200)
    pid = os.fork()
    if pid == 0:  # the child: nothing of the parent's is pending here
        metrics.flush()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    metrics.flush()
    assert _calls(hub.redis, "forkplugin") == 1
