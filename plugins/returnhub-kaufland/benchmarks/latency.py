"""Arrival latency of a new Kaufland return: created at Kaufland -> stored in the hub, by push notification and by
polling.

A real worker process (``python -m hub.cli worker``, configured by ``Config.to_env()``), the hub's web app
receiving the emulator's signed ``return_new`` notifications at ``/plugins/kaufland/notifications/<id>``, the
Kaufland emulator and the core's fake shop, all on loopback. Two phases, N new returns each:

1. notification: the first poll subscribes; each new return is announced to the hub, which queues a poll at once;
2. polling only: notifications are dropped; a real scheduler process polls every ``--poll-interval`` seconds
   (production default 300 s); the returns are spread over one interval, so every phase of the schedule counts.

Latency = ``created_at`` of the hub's row (written by the worker) - wall time just before the emulator added it.

    .venv/bin/python plugins/returnhub-kaufland/benchmarks/latency.py                 # N=20, poll 30 s
    .venv/bin/python plugins/returnhub-kaufland/benchmarks/latency.py -n 40 --poll-interval 300

Needs the core's test plugins (``make install-test``). Redis: RETURNHUB_BENCH_REDIS_URL, else an embedded one.
Database: ``--database-url``, else SQLite in a temporary folder.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time

from returnhub_fakeshop.emulator import create_app as create_shop_app
from returnhub_kaufland.emulator import KauflandState, emulator_settings
from returnhub_kaufland.emulator import create_app as create_kaufland_app
from sqlalchemy import select

from hub.app import create_app as create_hub_app
from hub.db import ReturnRow
from hub.sync import queueing
from hub.sync.pipeline import Job
from hub.testing.connections import create_connection
from hub.testing.latency import LatencyHub, percentile, report, since, wait_until


class Bench(LatencyHub):
    """The hub, its web app, a worker (and later a scheduler), the Kaufland emulator and the fake shop."""

    def __init__(self, args, folder: str):
        super().__init__(folder, plugins=["kaufland", "fakeshop"], database_url=args.database_url,
                         poll_interval=args.poll_interval, decision_interval=3600)
        self.state = KauflandState()
        self.kaufland = self.serve(create_kaufland_app(state=self.state))
        self.shop = self.serve(create_shop_app(auto_orders=True))
        self.web = self.serve(create_hub_app(hub=self.hub))
        self.cid = create_connection(
            self.hub, marketplace="kaufland", shop="fakeshop", name="Kaufland → Fake Shop",
            marketplace_settings={**emulator_settings(self.kaufland.url), "storefronts": ["de"],
                                  "public_base_url": self.web.url, "notification_email": "ops@example.com"},
            shop_settings={"base_url": self.shop.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})

    def subscribe(self) -> None:
        """The first poll: it subscribes return_new for the connection's storefront."""
        queueing.enqueue(self.hub, Job.POLL_MARKETPLACE, self.cid)
        wait_until(lambda: self.state.subscriptions, 60, "the subscription")

    def add_return(self) -> tuple[str, float]:
        """A customer starts a return at Kaufland; its id and the wall time just before."""
        started = time.time()
        ret = self.state.seed(1, units=1)[0]
        return str(ret["id_return"]), started

    def latencies(self, started: dict[str, float], timeout: float) -> list[float]:
        ids = list(started)

        def rows():
            with self.hub.session() as s:
                return s.execute(select(ReturnRow.external_id, ReturnRow.created_at)
                                 .where(ReturnRow.external_id.in_(ids))).all()

        wait_until(lambda: len(rows()) == len(ids), timeout, f"{len(ids)} returns in the hub", step=0.1)
        return since(rows(), started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--returns", type=int, default=20, help="new returns per phase")
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between notification-phase returns")
    parser.add_argument("--poll-interval", type=int, default=30, help="marketplace poll interval (s) in phase 2")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-poll", action="store_true", help="only the notification phase")
    args = parser.parse_args()
    bench = Bench(args, tempfile.mkdtemp(prefix="returnhub-kaufland-latency-"))
    try:
        bench.spawn("worker")
        bench.subscribe()
        started = {}
        for _ in range(args.returns):
            external_id, at = bench.add_return()
            started[external_id] = at
            time.sleep(args.gap)
        by_push = bench.latencies(started, timeout=60)
        report("notification", by_push)
        if not args.skip_poll:
            bench.state.notify["drop"] = True  # notifications lost: only the scheduled poll finds returns
            bench.spawn("scheduler")
            started = {}
            for _ in range(args.returns):
                external_id, at = bench.add_return()
                started[external_id] = at
                time.sleep(args.poll_interval / args.returns)
            by_poll = bench.latencies(started, timeout=3 * args.poll_interval + 30)
            report(f"poll ({args.poll_interval} s)", by_poll)
        target = percentile(by_push, 95) < 5.0
        print(f"notification p95 < 5 s: {'yes' if target else 'NO'}")
        return 0 if target else 1
    finally:
        bench.close()


if __name__ == "__main__":
    sys.exit(main())
