"""Starting an RQ worker on the Hub's queue with the JSON serializer."""
from __future__ import annotations

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from hub.http import Redactor


class _Redacting:
    """Stores a failed job's traceback (job data in Redis) with every known secret hidden."""

    def handle_job_failure(self, job, queue, started_job_registry=None, exc_string="", execution=None):
        return super().handle_job_failure(job, queue, started_job_registry=started_job_registry,
                                          exc_string=Redactor.redact(exc_string or ""), execution=execution)


class RedactingWorker(_Redacting, Worker):
    """A forking worker whose failed jobs' tracebacks carry no secrets."""


class RedactingSimpleWorker(_Redacting, SimpleWorker):
    """A non-forking worker whose failed jobs' tracebacks carry no secrets."""


def build_worker(hub, fork: bool = False, name: str | None = None) -> Worker:
    """A worker running jobs in its own process (no fork per job: a job costs ~10 ms, not ~100 ms),
    or in a forked work horse per job with ``fork`` (isolation from a job that crashes the process)."""
    from hub.metrics import metered
    cls = metered(RedactingWorker if fork else RedactingSimpleWorker)
    return cls([hub.queue], connection=hub.redis, serializer=JSONSerializer, name=name)


def run_worker(hub, burst: bool = False, fork: bool = False) -> bool:
    """Work the queue; with ``burst`` stop when it is empty (tests, benchmarks)."""
    return build_worker(hub, fork=fork).work(burst=burst, with_scheduler=False, logging_level="WARNING")
