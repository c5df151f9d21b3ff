"""Decision latency benchmark: merchant's action in the Shopify emulator -> decision recorded in the hub.

A real worker process (``python -m hub.cli worker``, configured by ``Config.to_env()``), the hub's
web app receiving the emulator's signed webhooks at ``/webhooks/<token>``, the core's fake
marketplace and the Shopify emulator, all on loopback. Two phases, N merchant declines each:

1. webhook: the emulator delivers ``returns/decline`` to the hub, which queues a targeted read;
2. polling only: webhooks are dropped; a real scheduler process runs the decision poll every
   ``--poll-interval`` seconds (production default 300 s, the demo's 30 s); the declines are spread
   over one interval, so the figures sample every phase of the schedule.

Latency = ``decided_at`` the worker wrote - wall time just before the merchant's action.

    .venv/bin/python plugins/returnhub-shopify/benchmarks/latency.py                 # N=20, poll 30 s
    .venv/bin/python plugins/returnhub-shopify/benchmarks/latency.py -n 50 --poll-interval 300

Needs the core's test plugins (``make install-test``). Redis: RETURNHUB_BENCH_REDIS_URL, else an
embedded one. Database: ``--database-url``, else SQLite in a temporary folder.
"""
from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time

import httpx
from returnhub_fakemarket.emulator import create_app as create_market_app
from returnhub_fakemarket.emulator import sample_return
from returnhub_shopify.emulator import EMULATOR_SECRET, EMULATOR_TOKEN, seed_orders
from returnhub_shopify.emulator import create_app as create_shopify_app
from sqlalchemy import func, select

from hub.app import create_app as create_hub_app
from hub.connections import settings_for_storage
from hub.db import Connection, Merchant, ReturnRow
from hub.sync import queueing
from hub.sync.pipeline import Job
from hub.testing.latency import LatencyHub, percentile, report, since, wait_until


class Bench(LatencyHub):
    """The hub, its web app, workers (and later a scheduler), the fake marketplace and the Shopify emulator."""

    def __init__(self, args, folder: str):
        super().__init__(folder, plugins=["fakemarket", "shopify"], database_url=args.database_url,
                         poll_interval=3600, decision_interval=args.poll_interval)
        self.market = self.serve(create_market_app())
        self.shopify = self.serve(create_shopify_app())
        self.web = self.serve(create_hub_app(hub=self.hub))
        token = secrets.token_urlsafe(16)
        with self.hub.session() as s:
            merchant = Merchant(name="Latency merchant")
            s.add(merchant)
            s.flush()
            conn = Connection(
                merchant_id=merchant.id, name="fakemarket → Shopify", marketplace="fakemarket", shop="shopify",
                marketplace_settings=settings_for_storage(self.hub, self.hub.registry.marketplace("fakemarket"), {
                    "base_url": self.market.url, "api_key": "market-secret-key"}),
                shop_settings=settings_for_storage(self.hub, self.hub.registry.shop("shopify"), {
                    "shop_url": self.shopify.url, "access_token": EMULATOR_TOKEN,
                    "client_secret": EMULATOR_SECRET}),
                returns_enabled=True, webhook_token=token)
            s.add(conn)
            s.flush()
            self.cid = conn.id
        self.hook(url=f"{self.web.url}/webhooks/{token}")

    def hook(self, **body) -> dict:
        resp = httpx.post(f"{self.shopify.url}/_emulator/webhooks", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def seed(self, count: int) -> None:
        returns = [sample_return(n) for n in range(1, count + 1)]
        self.market.app.config["EMULATOR"]["returns"].extend(returns)
        seed_orders(self.shopify.app, [{"order_id": r["order"], "lines": [
            {"sku": i["sku"], "ean": i["ean"], "title": i["title"], "quantity": i["qty"]} for i in r["items"]]}
            for r in returns])
        queueing.enqueue(self.hub, Job.POLL_MARKETPLACE, self.cid)
        wait_until(lambda: self.count_in("in_shop") == count, 60 + count, f"{count} returns created in Shopify")
        wait_until(self.idle, 60 + count, "the worker to finish the jobs of the creation webhooks")

    def idle(self) -> bool:
        """Nothing queued or running: the measurement starts from a quiet worker."""
        from rq.registry import StartedJobRegistry
        queue = self.hub.queue
        return queue.count == 0 and StartedJobRegistry(queue=queue).count == 0

    def count_in(self, *states) -> int:
        with self.hub.session() as s:
            return s.scalar(select(func.count(ReturnRow.id)).where(ReturnRow.state.in_(states)))

    def shop_return_ids(self, external_ids: list[str]) -> dict[str, str]:
        with self.hub.session() as s:
            return dict(s.execute(select(ReturnRow.external_id, ReturnRow.shop_return_id)
                                  .where(ReturnRow.external_id.in_(external_ids))).all())

    def decline(self, shop_return_id: str) -> float:
        """The merchant declines in Shopify; the wall time just before."""
        started = time.time()
        num = shop_return_id.rsplit("/", 1)[1]
        httpx.post(f"{self.shopify.url}/_emulator/returns/{num}/decline", json={"reason": "OTHER"},
                   timeout=10).raise_for_status()
        return started

    def latencies(self, started: dict[str, float], timeout: float) -> list[float]:
        ids = list(started)

        def decided() -> bool:
            with self.hub.session() as s:
                return s.scalar(select(func.count(ReturnRow.id)).where(
                    ReturnRow.external_id.in_(ids), ReturnRow.decided_at.is_not(None))) == len(ids)

        wait_until(decided, timeout, f"{len(ids)} decisions in the hub", step=0.1)
        with self.hub.session() as s:
            rows = s.execute(select(ReturnRow.external_id, ReturnRow.decided_at)
                             .where(ReturnRow.external_id.in_(ids))).all()
        return since(rows, started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--declines", type=int, default=20, help="merchant declines per phase")
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between webhook-phase declines")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--poll-interval", type=int, default=30, help="decision poll interval (s) in phase 2")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--skip-poll", action="store_true", help="only the webhook phase")
    args = parser.parse_args()
    n = args.declines
    bench = Bench(args, tempfile.mkdtemp(prefix="returnhub-latency-"))
    try:
        for _ in range(args.workers):
            bench.spawn("worker")
        bench.seed(2 * n)
        ids = bench.shop_return_ids([f"R{i}" for i in range(1, 2 * n + 1)])

        started = {}
        for i in range(1, n + 1):
            started[f"R{i}"] = bench.decline(ids[f"R{i}"])
            time.sleep(args.gap)
        by_webhook = bench.latencies(started, timeout=60)
        report("webhook", by_webhook)

        if not args.skip_poll:
            bench.hook(drop=True)  # webhooks lost: only the scheduled decision poll finds decisions
            bench.spawn("scheduler")
            started = {}
            for i in range(n + 1, 2 * n + 1):
                started[f"R{i}"] = bench.decline(ids[f"R{i}"])
                time.sleep(args.poll_interval / n)
            by_poll = bench.latencies(started, timeout=3 * args.poll_interval + 30)
            report(f"poll ({args.poll_interval} s)", by_poll)
        target = percentile(by_webhook, 95) < 5.0
        print(f"webhook p95 < 5 s: {'yes' if target else 'NO'}")
        return 0 if target else 1
    finally:
        bench.close()


if __name__ == "__main__":
    sys.exit(main())
