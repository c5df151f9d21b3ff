"""Starting an RQ worker on the Hub's queue with the JSON serializer."""
from __future__ import annotations

from rq import Worker
from rq.serializers import JSONSerializer


def build_worker(hub, name: str | None = None) -> Worker:
    return Worker([hub.queue], connection=hub.redis, serializer=JSONSerializer, name=name)


def run_worker(hub, burst: bool = False) -> bool:
    """Work the queue; with ``burst`` stop when it is empty (tests, benchmarks)."""
    return build_worker(hub).work(burst=burst, with_scheduler=False, logging_level="WARNING")
