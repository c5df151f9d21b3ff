"""Enqueuing jobs without piling up duplicates: at most one queued job per (kind, connection).

A short-lived marker key per kind and connection is set atomically before enqueuing and cleared
by the job when it starts, so a schedule or a burst of webhooks adds one queued job, not many.
Losing Redis loses only markers and queued jobs; the reconciler rebuilds them from the database.
"""
from __future__ import annotations

import uuid

MARKER_TTL = 900


def marker_key(kind: str, connection_id: int | None) -> str:
    return f"returnhub:queued:{kind}:{connection_id if connection_id is not None else 'all'}"


def enqueue(hub, kind: str, connection_id: int | None = None, **kwargs) -> str | None:
    """Queue job ``kind`` (a function in hub.sync.jobs) for a connection; None if one is already queued."""
    job_id = f"{kind}-{connection_id if connection_id is not None else 'all'}-{uuid.uuid4().hex[:12]}"
    key = marker_key(kind, connection_id)
    if not kwargs and not hub.redis.set(key, job_id, nx=True, ex=MARKER_TTL):
        return None
    args = (connection_id,) if connection_id is not None else ()
    try:
        hub.queue.enqueue(f"hub.sync.jobs.{kind}", args=args, kwargs=kwargs or None, job_id=job_id,
                          job_timeout=1800, result_ttl=600, failure_ttl=7 * 24 * 3600)
    except Exception:
        hub.redis.delete(key)
        raise
    return job_id


def started(hub, kind: str, connection_id: int | None) -> None:
    """Called by a job as it starts: a new trigger may queue the next run."""
    hub.redis.delete(marker_key(kind, connection_id))
