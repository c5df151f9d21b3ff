"""Amazon's per-operation usage plans through the core's shared Redis limiter.

The defaults are the rates the Reports API model documents; the burst test runs real pollers
(threads in this process and RQ worker processes) against one connection and counts the
createReport calls the emulator received against the bucket's tokens.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest
from returnhub_amazon.settings import (
    RATE_LIMITED_OPERATIONS,
    AmazonSettings,
    operation_rate_limit,
)

from hub import clock
from hub.testing.polls import poll

REQUIRED = {"lwa_client_id": "id", "lwa_client_secret": "secret", "refresh_token": "Atzr|x",
            "marketplace_ids": ["A1PA6795UKMFR9"]}


def _usage_plan(spec: dict, operation: str) -> tuple[float, int]:
    """(rate per second, burst) from the operation's "Usage Plan" table in the model."""
    for methods in spec["paths"].values():
        for op in methods.values():
            if isinstance(op, dict) and op.get("operationId") == operation:
                rate, burst = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", op["description"]).groups()
                return float(rate), int(burst)
    raise AssertionError(f"{operation} is not in the Reports API model")


def test_default_rates_are_the_documented_usage_plans(reports_spec):
    settings = AmazonSettings().load(REQUIRED)
    for operation, prefix in RATE_LIMITED_OPERATIONS.items():
        assert (settings[f"{prefix}_rate"], settings[f"{prefix}_burst"]) == _usage_plan(reports_spec, operation)
    create = operation_rate_limit(settings, "createReport")
    assert create["requests"] == 15 and create["per_seconds"] == pytest.approx(900, rel=0.01)
    assert operation_rate_limit(settings, "getReport") == {"requests": 15, "per_seconds": 7.5}


def test_rates_are_settings_with_bounds():
    settings = AmazonSettings().load({**REQUIRED, "create_report_rate": 0.05, "create_report_burst": 20})
    assert operation_rate_limit(settings, "createReport") == {"requests": 20, "per_seconds": 400}
    errors = AmazonSettings().validate({**REQUIRED, "get_report_rate": 0, "get_report_burst": 0})
    assert set(errors) == {"get_report_rate", "get_report_burst"}


def _worker_processes(config, count: int) -> list[subprocess.Popen]:
    env = dict(os.environ, **config.to_env())
    return [subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--burst"], env=env)
            for _ in range(count)]


def test_one_connection_never_bursts_past_the_create_report_rate(hub, config, make_connection, emu, shop_emu):
    """Threads and worker processes poll one connection at once; createReport keeps to its bucket.

    The bucket holds ``burst`` tokens and refills one in 10,000 s, so however fast or slow the machine,
    exactly ``burst`` createReport calls may reach Amazon while the eight polls run; every other attempt
    is refused by the shared limiter before sending (no arrival times are compared).
    """
    burst, rate = 2, 0.0001
    cid = make_connection(import_fba_returns=False, create_report_burst=burst, create_report_rate=rate)
    other = make_connection(merchant="Merchant B", import_fba_returns=False,
                            create_report_burst=burst, create_report_rate=rate)
    emu.state.config["polls_to_finish"] = 1  # every window is empty: CANCELLED, so each poll creates again
    assert "error" not in poll(cid)  # the cursor row exists before the crowd arrives
    for key in hub.redis.scan_iter("returnhub:ratelimit:*"):
        hub.redis.delete(key)  # and the buckets are full again (a missing bucket is a full one)
    earlier = len(emu.calls("createReport"))

    for _ in range(4):  # four polls of the same connection, queued past the one-per-connection marker
        hub.queue.enqueue("hub.sync.jobs.poll_marketplace", args=(cid,))
    workers = _worker_processes(config, 2)
    errors: list[str] = []

    def poller():
        for _ in range(2):
            result = poll(cid)
            if "error" in result:
                errors.append(result["error"])

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for proc in workers:
        assert proc.wait(timeout=120) == 0
    assert len(hub.queue) == 0

    created = emu.calls("createReport")[earlier:]
    assert len(created) == burst and all(c.status == 202 for c in created)
    # A poll refused a slot says so (which pollers were refused depends on who came first).
    assert all("rate limit" in e for e in errors), errors

    # The bucket is the connection's: another connection starts with its own burst at once. On a
    # stopped clock every wait is recorded, none taken: a shared bucket, now empty, would make it wait.
    with clock.use(clock.FakeClock()) as stopped:
        assert "error" not in poll(other)
    assert emu.calls("createReport")[-1].status == 202 and stopped.slept == []
