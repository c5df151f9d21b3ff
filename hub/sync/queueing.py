"""Enqueuing jobs without piling up duplicates: at most one queued job per (kind, connection).

A short-lived marker key per kind and connection is set atomically before enqueuing and cleared
by the job when it starts, so a schedule or a burst of webhooks adds one queued job, not many.
Losing Redis loses only markers and queued jobs; the reconciler rebuilds them from the database.
"""
from __future__ import annotations

import uuid

from hub.model import State
from hub.sync import pipeline
from hub.sync.pipeline import Job

MARKER_TTL = 900
GROUPABLE = frozenset({Job.POLL_MARKETPLACE, Job.POLL_DECISIONS})  # scheduled polls a poll_group job may share


def marker_key(kind: Job | str, connection_id: int | None) -> str:
    """The Redis key that says a ``kind`` job for this connection is queued (also used by hub.webhooks_out)."""
    return f"returnhub:queued:{kind}:{connection_id if connection_id is not None else 'all'}"


def enqueue(hub, kind: Job, connection_id: int | None = None, **kwargs) -> str | None:
    """Queue job ``kind`` for a connection; None if one is already queued."""
    if not isinstance(kind, Job):
        raise TypeError(f"enqueue takes a pipeline.Job, not {kind!r}")
    job_id = f"{kind.value}-{connection_id if connection_id is not None else 'all'}-{uuid.uuid4().hex[:12]}"
    key = marker_key(kind, connection_id)
    if not kwargs and not hub.redis.set(key, job_id, nx=True, ex=MARKER_TTL):
        return None
    args = (connection_id,) if connection_id is not None else ()
    try:
        hub.queue.enqueue(kind.path, args=args, kwargs=kwargs or None, job_id=job_id,
                          job_timeout=1800, result_ttl=600, failure_ttl=7 * 24 * 3600)
    except Exception:
        hub.redis.delete(key)
        raise
    return job_id


def enqueue_all(hub, kind: Job, connection_ids, chunk: int = 1000, group: int = 1) -> int:
    """Queue job ``kind`` for each of ``connection_ids`` (the schedule's fan-out); how many were queued.

    The same marker rule as :func:`enqueue`, in a few round trips per ``chunk`` connections instead of
    several per connection: at 10,000 connections the schedule takes a second or so, not half a minute.
    With ``group`` > 1, up to that many connections share one ``poll_group`` job (polls only), which
    pays RQ's own cost of a job once for them.
    """
    if not isinstance(kind, Job):
        raise TypeError(f"enqueue_all takes a pipeline.Job, not {kind!r}")
    if group > 1 and kind not in GROUPABLE:
        raise ValueError(f"{kind} jobs are not grouped (only {', '.join(sorted(GROUPABLE))})")
    ids = list(connection_ids)
    queued = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        job_ids = {cid: f"{kind.value}-{cid}-{uuid.uuid4().hex[:12]}" for cid in part}
        with hub.redis.pipeline(transaction=False) as pipe:
            for cid in part:
                pipe.set(marker_key(kind, cid), job_ids[cid], nx=True, ex=MARKER_TTL)
            marked = [cid for cid, ok in zip(part, pipe.execute(), strict=True) if ok]
        if not marked:
            continue
        queue = hub.queue
        batches = [marked[i:i + max(1, group)] for i in range(0, len(marked), max(1, group))]
        try:
            with hub.redis.pipeline() as pipe:
                queue.enqueue_many([queue.prepare_data(kind.path, args=(batch[0],), job_id=job_ids[batch[0]],
                                                       timeout=1800, result_ttl=600, failure_ttl=7 * 24 * 3600)
                                    if len(batch) == 1 else
                                    queue.prepare_data(Job.POLL_GROUP.path, args=(kind.value, batch),
                                                       job_id=f"{Job.POLL_GROUP.value}-{job_ids[batch[0]]}",
                                                       timeout=1800, result_ttl=600, failure_ttl=7 * 24 * 3600)
                                    for batch in batches], pipeline=pipe)
                pipe.execute()
        except Exception:
            hub.redis.delete(*(marker_key(kind, cid) for cid in marked))
            raise
        queued += len(marked)
    return queued


def started(hub, kind: Job | str, *connection_ids: int | None) -> None:
    """Called by a job as it starts (a group for all its connections, in one round trip): a new trigger
    may queue the next run."""
    if connection_ids:
        hub.redis.delete(*(marker_key(kind, connection_id) for connection_id in connection_ids))


def enqueue_next(hub, connection_id: int, states, marketplace_cls, shop_cls, skip: Job | None = None) -> None:
    """Queue the jobs that returns now in ``states`` wait for (read from the step table), except ``skip``."""
    caps = pipeline.capabilities_of(marketplace_cls, shop_cls)
    jobs = {job for state in states for job in pipeline.next_jobs(State(state), *caps)}
    for job in sorted(jobs - {skip}, key=list(Job).index):
        enqueue(hub, job, connection_id)
