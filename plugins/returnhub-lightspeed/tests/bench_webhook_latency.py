"""Benchmark (not part of the suite): decision latency by webhook, from the merchant setting a custom status in
Lightspeed to the decision pushed to the marketplace, through the hub's web app, queue and jobs.

Run: ``pytest plugins/returnhub-lightspeed/tests/bench_webhook_latency.py -s --rootdir plugins/returnhub-lightspeed``
Wall time is read with time.perf_counter on purpose: this measures, it asserts nothing about speed.
"""
from __future__ import annotations

import statistics
import time

from test_lightspeed_flow import STATUS, flow, in_shop  # noqa: F401 - the flow fixture

from hub.testing.flow import states

ROUNDS = 20


def test_webhook_decision_latency(flow, make_shop):  # noqa: F811
    f = flow()
    f.subscribe(make_shop())
    for n in range(1, ROUNDS + 1):
        f.seed(n)
    f.settle(done=lambda: set(states(f.hub, f.cid).values()) == {"in_shop"})
    samples = []
    for n in range(1, ROUNDS + 1):
        start = time.perf_counter()
        f.shop.status(f.order_id(f"R{n}"), STATUS["accepted"])  # webhook delivered and answered 202
        f.drain()  # the worker runs the targeted decision read and the push
        assert f.state(f"R{n}") == "pushed"
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    print(f"\nwebhook → decision pushed, {ROUNDS} returns: median {statistics.median(samples):.1f} ms, "
          f"p95 {samples[int(0.95 * len(samples)) - 1]:.1f} ms, max {samples[-1]:.1f} ms")
