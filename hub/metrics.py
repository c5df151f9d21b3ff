"""Prometheus metrics shared by every process: counters live in Redis hashes (web, workers and the
scheduler on any machine add to them, a second's worth at a time), gauges are read from the database
and the queue at scrape time, and :class:`HubCollector` turns both into ``prometheus_client``
families for ``/metrics``."""
from __future__ import annotations

import atexit
import logging
import os
import threading

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    SummaryMetricFamily,
)
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
PREFIX = "returnhub:metrics:"


def _send(redis, counts: dict[tuple[str, str], int | float]) -> None:
    """Add to counters ((hash, field) -> amount) in one round trip; a Redis failure never breaks the caller."""
    try:
        pipe = redis.pipeline(transaction=False)
        for (name, field), amount in counts.items():
            if isinstance(amount, float):
                pipe.hincrbyfloat(PREFIX + name, field, amount)
            else:
                pipe.hincrby(PREFIX + name, field, amount)
        pipe.execute()
    except RedisError as exc:
        log.debug("metrics not recorded: %s", exc)


class _Pending:
    """This process's counter increments not yet in Redis.

    They go in one round trip at most ``FLUSH_SECONDS`` after the first one, at the end of every job,
    before a scrape served by this process and at exit: a busy worker pays one Redis round trip a
    second for its metrics, not one per HTTP call and per commit. A process killed outright loses at
    most its last second of counts (counters only; no return depends on them).
    """

    FLUSH_SECONDS = 1.0

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[int, tuple[object, dict]] = {}  # id(redis client) -> (client, counts)
        self._timer: threading.Timer | None = None

    def add(self, redis, increments: list[tuple[str, str, int | float]]) -> None:
        if redis is None or not increments:
            return
        with self._lock:
            counts = self._counts.setdefault(id(redis), (redis, {}))[1]
            for name, field, amount in increments:
                counts[(name, field)] = counts.get((name, field), 0) + amount
            if self._timer is None:
                self._timer = threading.Timer(self.FLUSH_SECONDS, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Send everything pending now."""
        with self._lock:
            taken, self._counts = self._counts, {}
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        for redis, counts in taken.values():
            _send(redis, counts)

    def forget(self) -> None:
        """In a forked child: the parent's pending counts are the parent's to send, and its timer is gone."""
        self._lock = threading.Lock()
        self._counts, self._timer = {}, None


_pending = _Pending()
flush = _pending.flush
os.register_at_fork(after_in_child=_pending.forget)
atexit.register(flush)


def _add(redis, increments: list[tuple[str, str, int | float]]) -> None:
    _pending.add(redis, increments)


def count_transitions(redis, pending: list[tuple[int, dict]]) -> None:
    """Committed state changes (the Hub's post-commit list of (return id, event))."""
    _add(redis, [("transitions", f"{event['from_state']}|{event['to_state']}", 1) for _, event in pending])


def observe_job(redis, kind: str, seconds: float, failed: bool) -> None:
    """One finished job of ``kind``: its duration, and whether it failed."""
    increments = [("job_count", kind, 1), ("job_seconds", kind, float(seconds))]
    if failed:
        increments.append(("job_failures", kind, 1))
    _add(redis, increments)


def count_http(redis, plugin: str | None, status: int | None) -> None:
    """One platform HTTP attempt by ``plugin``'s client: ``status`` None for a transport error."""
    if not plugin:
        return
    increments = [("http_calls", plugin, 1)]
    if status is None or status >= 500:
        increments.append(("http_errors", plugin, 1))
    if status == 429:
        increments.append(("http_429", plugin, 1))
    _add(redis, increments)


def _hash(redis, name: str) -> dict[str, float]:
    return {k.decode(): float(v) for k, v in redis.hgetall(PREFIX + name).items()}


class HubCollector:
    """Yields the metric families at scrape time from Redis, the queue and the database."""

    def __init__(self, hub):
        self.hub = hub

    def collect(self):
        from sqlalchemy import func, select

        from hub.db import ReturnRow
        from hub.db.models import OutboundDelivery

        hub, redis = self.hub, self.hub.redis
        flush()  # this process's own pending counts first
        returns = GaugeMetricFamily("returnhub_returns", "Returns per state.", labels=["state"])
        deliveries = GaugeMetricFamily("returnhub_webhook_deliveries", "Outgoing webhook deliveries per status.",
                                       labels=["status"])
        with hub.session() as s:
            for state, n in s.execute(select(ReturnRow.state, func.count()).group_by(ReturnRow.state)):
                returns.add_metric([state], n)
            for status, n in s.execute(select(OutboundDelivery.status, func.count())
                                       .group_by(OutboundDelivery.status)):
                deliveries.add_metric([status], n)
        yield returns
        yield deliveries

        transitions = CounterMetricFamily("returnhub_transitions", "Return state transitions.",
                                          labels=["from_state", "to_state"])
        for key, n in sorted(_hash(redis, "transitions").items()):
            transitions.add_metric(key.split("|", 1), n)
        yield transitions

        counts, seconds = _hash(redis, "job_count"), _hash(redis, "job_seconds")
        jobs = SummaryMetricFamily("returnhub_job_duration_seconds", "Job durations per kind.", labels=["kind"])
        for kind in sorted(counts):
            jobs.add_metric([kind], count_value=counts[kind], sum_value=seconds.get(kind, 0.0))
        yield jobs
        yield self._counter("returnhub_job_failures", "Failed jobs per kind.", "kind", "job_failures")
        yield self._counter("returnhub_platform_http_requests", "Platform HTTP attempts per plugin.", "plugin",
                            "http_calls")
        yield self._counter("returnhub_platform_http_errors", "Platform HTTP attempts that failed (5xx or no "
                            "answer) per plugin.", "plugin", "http_errors")
        yield self._counter("returnhub_platform_http_429", "Platform answers 429 Too Many Requests per plugin.",
                            "plugin", "http_429")
        depth = GaugeMetricFamily("returnhub_queue_depth", "Jobs waiting in the queue.", labels=["queue"])
        depth.add_metric([hub.config.queue_name], len(hub.queue))
        yield depth

    def _counter(self, name: str, doc: str, label: str, key: str) -> CounterMetricFamily:
        family = CounterMetricFamily(name, doc, labels=[label])
        for value, n in sorted(_hash(self.hub.redis, key).items()):
            family.add_metric([value], n)
        return family


class MeteredWorkerMixin:
    """An RQ worker that records each job's duration and failure per kind (the function's name)."""

    def perform_job(self, job, queue, *args, **kwargs) -> bool:
        from hub import clock
        started = clock.monotonic()
        ok = super().perform_job(job, queue, *args, **kwargs)
        kind = (job.func_name or "unknown").rsplit(".", 1)[-1]
        observe_job(self.connection, kind, clock.monotonic() - started, failed=not ok)
        flush()  # a job's counts are in Redis when it ends (a forked work horse exits without atexit)
        return ok


def metered(worker_cls: type) -> type:
    """``worker_cls`` with :class:`MeteredWorkerMixin` (job durations and failures recorded)."""
    return type(f"Metered{worker_cls.__name__}", (MeteredWorkerMixin, worker_cls), {})
