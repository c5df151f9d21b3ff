"""Starting an RQ worker on the Hub's queue with the JSON serializer."""
from __future__ import annotations

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer


def build_worker(hub, fork: bool = False, name: str | None = None) -> Worker:
    """A worker running jobs in its own process (no fork per job: a job costs ~10 ms, not ~100 ms),
    or in a forked work horse per job with ``fork`` (isolation from a job that crashes the process)."""
    from hub.metrics import metered
    cls = metered(Worker if fork else SimpleWorker)
    return cls([hub.queue], connection=hub.redis, serializer=JSONSerializer, name=name)


def run_worker(hub, burst: bool = False, fork: bool = False) -> bool:
    """Work the queue; with ``burst`` stop when it is empty (tests, benchmarks)."""
    return build_worker(hub, fork=fork).work(burst=burst, with_scheduler=False, logging_level="WARNING")
