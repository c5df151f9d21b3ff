"""Scale benchmark: many connections polled on a schedule, most of them with nothing new.

N connections (10,000 by default) between the fake marketplace and the fake shop, all on loopback
emulators, each with 10 returns open in the shop and nothing decided. Real Redis and real worker
processes. Prints:

- the scheduler's cost (the fan-out to every connection, ``poll_all_decisions`` and
  ``poll_all_marketplaces``; the spread tick, ``poll_due_*``, that queues only those due) and the
  reconciler's (``reconcile``): SQL statements and time per run, counted with an SQLAlchemy event listener;
  with ``--preload`` again after a bulk insert of that many closed returns, to show the cost follows
  the work that is due, not all rows;
- one full decision-poll cycle and one marketplace-poll cycle: wall time, API calls per connection,
  worker CPU per connection;
- each worker's peak RSS (VmHWM) over the cycles' backlog.

    .venv/bin/python benchmarks/scale.py --connections 1000               # a quick run
    .venv/bin/python benchmarks/scale.py                                  # 10,000 connections
    .venv/bin/python benchmarks/scale.py --preload 1000000 --database-url postgresql+psycopg://...

Needs the test plugins installed (``make install-test``). Redis: RETURNHUB_BENCH_REDIS_URL, else an
embedded one. Figures depend on the machine; run on a quiet one and compare ratios of one run.
"""
from __future__ import annotations

import argparse
import atexit
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from returnhub_fakemarket import emulator as market
from returnhub_fakeshop import emulator as shop
from sqlalchemy import event, func, insert, select, text

from hub.config import Config
from hub.connections import settings_for_storage
from hub.db import Connection, Merchant, ReturnLine, ReturnRow, SyncCursor
from hub.db.migrate import upgrade
from hub.db.statistics import refresh
from hub.runtime import Hub
from hub.sync import jobs
from hub.testing.emulator import EmulatorServer

OPEN_PER_CONNECTION = 10
CHUNK = 5000


class QueryCounter:
    """Counts the statements an engine sends (an executemany counts once: one round trip)."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args, **_kwargs):
        self.count += 1


def measure(counter: QueryCounter, fn) -> tuple[object, int, float, float]:
    """Run ``fn``: its result, statements, wall seconds and CPU seconds of this process."""
    before, wall, cpu = counter.count, time.perf_counter(), time.process_time()
    result = fn()
    return result, counter.count - before, time.perf_counter() - wall, time.process_time() - cpu


def _chunks(rows: list, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _next_id(s, model) -> int:
    return (s.scalar(select(func.max(model.id))) or 0) + 1


def _fix_sequences(hub, tables: list[str]) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    if hub.db.engine.dialect.name != "postgresql":
        return
    with hub.db.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def seed(hub, count: int, market_url: str, shop_url: str, shop_app, due: int) -> list[int]:
    """``count`` connections, each with OPEN_PER_CONNECTION returns in the shop (and in the shop emulator),
    bulk inserted; ``due`` of them also have one decided return waiting for its push. Their ids."""
    market_settings = settings_for_storage(hub, hub.registry.marketplace("fakemarket"),
                                           {"base_url": market_url, "api_key": market.API_KEY})
    shop_settings = settings_for_storage(hub, hub.registry.shop("fakeshop"),
                                         {"base_url": shop_url, "token": shop.TOKEN})
    polled = datetime.now(UTC) - timedelta(minutes=10)
    with hub.session() as s:
        merchant_id, conn_id = _next_id(s, Merchant), _next_id(s, Connection)
        s.execute(insert(Merchant), [{"id": merchant_id + i, "name": f"Scale merchant {i}"} for i in range(count)])
        ids = [conn_id + i for i in range(count)]
        for part in _chunks(ids):
            s.execute(insert(Connection), [{
                "id": cid, "merchant_id": merchant_id + cid - conn_id, "name": f"scale {cid}",
                "marketplace": "fakemarket", "marketplace_settings": market_settings, "shop": "fakeshop",
                "shop_settings": shop_settings, "returns_enabled": True, "status": "active",
                "webhook_token": secrets.token_urlsafe(16), "last_poll_at": polled,
                "last_decision_poll_at": polled} for cid in part])
            s.execute(insert(SyncCursor), [{"connection_id": cid, "name": "marketplace", "value": "0"} for cid in part])
    records = shop_app.config["EMULATOR"]["returns"]
    with hub.session() as s:
        return_id, line_id = _next_id(s, ReturnRow), _next_id(s, ReturnLine)
    returns, lines = [], []
    for cid in ids:
        for n in range(OPEN_PER_CONNECTION + (1 if cid - conn_id < due else 0)):
            decided = n == OPEN_PER_CONNECTION
            rid, lid = return_id + len(returns), line_id + len(lines)
            external = f"R{n + 1}"
            returns.append({
                "id": rid, "connection_id": cid, "external_id": external, "marketplace_order_id": f"C{cid}-{n}",
                "shop_order_id": f"SO-C{cid}-{n}", "shop_return_id": f"SR{rid}", "fulfilment": "merchant",
                "requested_at": polled, "state": "decided" if decided else "in_shop", "flags": [], "raw": {},
                "is_test": False, "attempts": 0, "created_at": polled, "updated_at": polled})
            lines.append({
                "id": lid, "return_id": rid, "external_line_id": f"{external}-1", "sku": "SKU-1", "quantity": 1,
                "unit_price": "19.95", "currency": "EUR", "raw": {},
                "decision": "accepted" if decided else None, "decision_quantity": 1 if decided else None})
            records[f"SR{rid}"] = {"id": f"SR{rid}", "reference": f"returnhub-{cid}-{external}",
                                   "order_id": f"SO-C{cid}-{n}", "status": "decided" if decided else "open",
                                   "lines": {f"{external}-1": {"quantity": 1, "decision": "accepted" if decided else None,
                                                              "decided_qty": 1 if decided else None}}}
    for part_returns, part_lines in zip(_chunks(returns), _chunks(lines), strict=True):
        with hub.session() as s:
            s.execute(insert(ReturnRow), part_returns)
            s.execute(insert(ReturnLine), part_lines)
    _fix_sequences(hub, ["merchant", "connection", "return_request", "return_line"])
    return ids


def preload(hub, ids: list[int], count: int) -> float:
    """Bulk insert ``count`` closed (pushed) returns spread over the connections; seconds taken."""
    started = time.perf_counter()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with hub.session() as s:
        first = _next_id(s, ReturnRow)
    for start in range(0, count, CHUNK * 4):
        rows = [{"id": first + n, "connection_id": ids[n % len(ids)], "external_id": f"P{n}",
                 "marketplace_order_id": f"PO{n}", "shop_order_id": f"SO-P{n}", "shop_return_id": f"SP{n}",
                 "fulfilment": "merchant", "requested_at": long_ago, "state": "pushed", "flags": [], "raw": {},
                 "is_test": False, "attempts": 0, "created_at": long_ago, "updated_at": long_ago}
                for n in range(start, min(count, start + CHUNK * 4))]
        with hub.session() as s:
            s.execute(insert(ReturnRow), rows)
    _fix_sequences(hub, ["return_request"])
    refresh(hub.db.engine)
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cycle(hub, counter, kind: str, column, total: int, app, workers, timeout: float) -> dict:
    """Queue one scheduled poll of every connection and wait until each one ran; the figures."""
    app.config["EMULATOR"]["requests"] = 0
    cpu_before = sum(cpu_seconds(p.pid) for p in workers)
    started_at = datetime.now(UTC)
    scheduled, queries, wall, _cpu = measure(counter, getattr(jobs, kind))
    started = time.perf_counter() - wall
    done = 0
    while time.perf_counter() - started < timeout:
        with hub.session() as s:
            done = s.scalar(select(func.count(Connection.id)).where(column >= started_at))
        if done >= total:
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    calls = app.config["EMULATOR"]["requests"]
    worker_cpu = sum(cpu_seconds(p.pid) for p in workers) - cpu_before
    return {"kind": kind, "queued": scheduled.get("queued"), "schedule_queries": queries, "schedule_s": wall,
            "done": done, "elapsed": elapsed, "calls_per_connection": calls / max(total, 1),
            "worker_cpu_ms": 1000 * worker_cpu / max(done, 1)}


def report_costs(label: str, hub, counter, names=("poll_all_decisions", "poll_all_marketplaces", "reconcile")) -> None:
    """The scheduler's and the reconciler's statements and time per run (the second of two runs)."""
    for name in names:
        runs = []
        for _ in range(2):
            hub.redis.flushdb()  # no queue markers left: every run does its whole work
            runs.append(measure(counter, getattr(jobs, name)))
        result, queries, wall, cpu = runs[-1]
        print(f"  {label:<22} {name:<22} {queries:>6} queries  {wall * 1000:8.1f} ms  "
              f"(CPU {cpu * 1000:7.1f} ms)  {result}")
    hub.redis.flushdb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--due", type=int, default=100, help="connections with one decided return to push")
    parser.add_argument("--preload", type=int, default=0, help="closed returns bulk inserted (e.g. 1000000)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="returnhub-scale-")
    redis_url = os.environ.get("RETURNHUB_BENCH_REDIS_URL")
    if not redis_url:
        from hub.embedded import start_embedded_redis, stop_embedded_redis
        redis_url = start_embedded_redis(os.path.join(folder, "redis"))
        atexit.register(stop_embedded_redis, redis_url)  # not left running after the benchmark
    config = Config(instance_path=folder, database_url=args.database_url or f"sqlite:///{folder}/scale.db",
                    redis_url=redis_url, secret_key="bench", plugins=["fakemarket", "fakeshop"],
                    allow_local_hosts=["127.0.0.1"], batch_size=200, queue_name=f"scale-{secrets.token_hex(3)}",
                    http_retries=3)
    upgrade(config.database_url)
    hub = Hub(config).activate()
    hub.redis.flushdb()
    counter = QueryCounter(hub.db.engine)

    shop_app, market_app = shop.create_app(), market.create_app()
    servers = [EmulatorServer(shop_app).start(), EmulatorServer(market_app).start()]
    load = os.getloadavg()
    print(f"database {hub.db.engine.dialect.name}, {args.connections} connections x {OPEN_PER_CONNECTION} open "
          f"returns, {args.workers} workers, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f}")
    started = time.perf_counter()
    ids = seed(hub, args.connections, servers[1].url, servers[0].url, shop_app, min(args.due, args.connections))
    refresh(hub.db.engine)
    with hub.session() as s:
        rows = s.scalar(select(func.count(ReturnRow.id)))
    print(f"seeded              {len(ids)} connections, {rows} returns in {time.perf_counter() - started:.1f} s")

    print("scheduler and reconciler, per run:")
    report_costs(f"{rows} returns", hub, counter)
    if args.preload:
        seconds = preload(hub, ids, args.preload)
        with hub.session() as s:
            rows = s.scalar(select(func.count(ReturnRow.id)))
        print(f"preloaded           {args.preload} closed returns in {seconds:.1f} s (bulk insert, then ANALYZE)")
        report_costs(f"{rows} returns", hub, counter)

    env = dict(os.environ, **config.to_env())
    workers = [subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env) for _ in range(args.workers)]
    try:
        time.sleep(2)  # the workers import and connect before the clock starts
        results = [cycle(hub, counter, "poll_all_decisions", Connection.last_decision_poll_at, len(ids), shop_app,
                         workers, args.timeout),
                   cycle(hub, counter, "poll_all_marketplaces", Connection.last_poll_at, len(ids), market_app,
                         workers, args.timeout)]
        rss = [peak_rss_mb(p.pid) for p in workers]
    finally:
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            proc.wait(timeout=60)
    for r in results:
        print(f"cycle {r['kind']:<22} {r['done']}/{len(ids)} connections in {r['elapsed']:.1f} s "
              f"({r['done'] / r['elapsed']:.0f}/s); scheduling {r['schedule_queries']} queries {r['schedule_s']:.2f} s; "
              f"API calls/connection {r['calls_per_connection']:.2f} (target <= 1); "
              f"worker CPU/connection {r['worker_cpu_ms']:.1f} ms")
    print("a scheduler tick right after the cycles (spread schedule: only the connections whose period began):")
    report_costs(f"{rows} returns", hub, counter, ("poll_due_decisions", "poll_due_marketplaces"))
    print("peak worker RSS     " + ", ".join(f"{mb:.0f} MB" for mb in rss) + "  (target <= 200)")
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for server in servers:
        server.stop()
    return 0 if all(r["done"] >= len(ids) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
