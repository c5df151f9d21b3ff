"""/healthz, /readyz (database, Redis, the scheduler's heartbeat, queue depth) and /metrics (protected;
a transition counter that moves when a return moves)."""
from __future__ import annotations

import re

import pytest
from rq.cron import cron_scheduler_registry
from test_web import import_returns

from hub import clock
from hub.app import create_app
from hub.config import Config
from hub.embedded import start_embedded_redis, stop_embedded_redis
from hub.runtime import Hub
from hub.sync.schedule import build_scheduler


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


def beat(hub, age: float = 0) -> None:
    """A scheduler heartbeat ``age`` seconds old, written by RQ's cron scheduler itself."""
    scheduler = build_scheduler(hub)
    scheduler.register_birth()
    scheduler.heartbeat()
    if age:
        hub.redis.zadd(cron_scheduler_registry.get_registry_key(), {scheduler.name: clock.time() - age})


def test_healthz_answers(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_each_dependency(app, hub):
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503 and "no heartbeat" in response.json["checks"]["scheduler"]
    beat(hub)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {"database": "ok", "redis": "ok", "scheduler": "ok", "queue": "ok"}
    beat(hub, age=hub.config.scheduler_stale_seconds + 60)
    assert client.get("/readyz").status_code == 503
    beat(hub)
    hub.config.ready_max_queue = 1
    for _ in range(2):
        hub.queue.enqueue("hub.sync.jobs.reconcile")
    response = client.get("/readyz")
    assert response.status_code == 503 and "workers are behind" in response.json["checks"]["queue"]


def test_readyz_fails_when_redis_is_down(tmp_path, database_url):
    url = start_embedded_redis(str(tmp_path / "redis"))
    config = Config(instance_path=str(tmp_path), database_url=database_url, redis_url=url, secret_key="k" * 40,
                    plugins=[], testing=True)
    hub = Hub(config)
    client = create_app(hub=hub).test_client()
    beat(hub)
    assert client.get("/readyz").status_code == 200
    stop_embedded_redis(url)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"].startswith("unavailable") and response.json["checks"]["database"] == "ok"
    assert client.get("/healthz").status_code == 200


def metric(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus text, 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    found = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_protected_and_counting(app, hub, make_connection, market_emu, shop_emu, drain):
    client = app.test_client()
    outsider = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert outsider.status_code == 403
    before = client.get("/metrics").get_data(as_text=True)
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2])
    after = client.get("/metrics").get_data(as_text=True)
    assert metric(after, "returnhub_transitions_total", from_state="received", to_state="in_shop") == \
        metric(before, "returnhub_transitions_total", from_state="received", to_state="in_shop") + 2
    assert metric(after, "returnhub_platform_http_requests_total", plugin="fakemarket") >= 1
    assert metric(after, "returnhub_platform_http_requests_total", plugin="fakeshop") >= 2
    assert re.search(r"^returnhub_returns\{state=\"\w+\"\} 2\.0$", after, re.MULTILINE)
    assert "returnhub_queue_depth" in after
    hub.config.metrics_token = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 403, "with a token set, the address alone is not enough"
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"}).status_code == 200


def test_metrics_count_jobs_per_kind(app, hub):
    from hub.sync import queueing
    from hub.sync.pipeline import Job
    from hub.sync.worker import run_worker
    queueing.enqueue(hub, Job.RECONCILE)
    hub.queue.enqueue("hub.sync.jobs.no_such_job")
    run_worker(hub, burst=True)
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert metric(text, "returnhub_job_duration_seconds_count", kind="reconcile") == 1
    assert metric(text, "returnhub_job_duration_seconds_sum", kind="reconcile") > 0
    assert metric(text, "returnhub_job_failures_total", kind="reconcile") == 0
    assert metric(text, "returnhub_job_failures_total", kind="no_such_job") == 1
