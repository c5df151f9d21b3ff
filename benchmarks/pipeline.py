"""Pipeline throughput benchmark: N returns from the fake marketplace through ``pushed``.

Real Redis, real worker processes (2 by default) and the real scheduler, against the fake
marketplace and shop emulators on loopback. Prints returns/s, HTTP calls per return, worker CPU ms
per return, peak worker RSS, the ceiling (the calls/s a bare httpx loop gets from the same
emulators in the same run) and the floor (a bare httpx client's own CPU per call, times the calls
per return: what the workers cannot go below while every call goes through httpx).

    .venv/bin/python benchmarks/pipeline.py                     # 10,000 returns, 10 connections
    .venv/bin/python benchmarks/pipeline.py --latency 0.1       # 100 ms injected in every emulator answer
    .venv/bin/python benchmarks/pipeline.py --returns 2000 --database-url postgresql+psycopg://...
    .venv/bin/python benchmarks/pipeline.py --database-url sqlite --database-url postgresql+psycopg://...  # both, one run
    .venv/bin/python benchmarks/pipeline.py --marketplace mirakl --returns 2000   # a Mirakl operator (MediaMarkt)

A PostgreSQL database must be empty (the run counts its pushed returns).
Needs the test plugins installed (``make install-test``). Redis: RETURNHUB_BENCH_REDIS_URL, else an
embedded one.
"""
from __future__ import annotations

import argparse
import atexit
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time

import httpx
from returnhub_fakemarket import emulator as market
from returnhub_fakeshop import emulator as shop
from sqlalchemy import func, select

from hub.config import Config
from hub.db import ReturnRow
from hub.db.migrate import upgrade
from hub.runtime import Hub
from hub.sync import queueing
from hub.sync.pipeline import Job
from hub.testing.connections import create_connection
from hub.testing.emulator import EmulatorServer


def ceiling(url: str, headers: dict, seconds: float = 3.0) -> float:
    """Calls/s of a bare sequential httpx loop against an emulator."""
    with httpx.Client(base_url=url, headers=headers) as client:
        count, end = 0, time.perf_counter() + seconds
        started = time.perf_counter()
        while time.perf_counter() < end:
            client.get(f"/orders/CEIL{count}")
            count += 1
        return count / (time.perf_counter() - started)


def client_cpu_per_call(url: str, headers: dict, calls: int = 2000) -> float:
    """Seconds of CPU one bare httpx call costs its client, measured in a separate process so the
    emulators' share is not counted: the floor under the workers' CPU per HTTP call."""
    code = (
        "import resource, sys, httpx\n"
        "url, auth, n = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
        "with httpx.Client(base_url=url, headers={'Authorization': auth}) as c:\n"
        "    c.get('/orders/FLOOR')\n"
        "    r0 = resource.getrusage(resource.RUSAGE_SELF)\n"
        "    for i in range(n):\n"
        "        c.get(f'/orders/FLOOR{i}').json()\n"
        "    r1 = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / n)\n")
    out = subprocess.run([sys.executable, "-c", code, url, headers["Authorization"], str(calls)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def print_job_summary(hub, started: float) -> None:
    """Jobs run per kind with their total and mean duration: where the workers' time went."""
    from rq.job import Job
    from rq.registry import FinishedJobRegistry
    registry = FinishedJobRegistry(queue=hub.queue)
    stats: dict[str, list[float]] = {}
    for job in Job.fetch_many(registry.get_job_ids(), connection=hub.redis, serializer=hub.queue.serializer):
        if job and job.started_at and job.ended_at:
            stats.setdefault(job.func_name.rsplit(".", 1)[-1], []).append((job.ended_at - job.started_at).total_seconds())
    for name, durations in sorted(stats.items()):
        print(f"  job {name:<22} x{len(durations):<5} total {sum(durations):7.1f} s  mean {sum(durations) / len(durations):6.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every emulator answer")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", action="append", default=None,
                        help="repeat to run on several databases in one run (e.g. SQLite, then PostgreSQL); "
                             "'sqlite' means a fresh SQLite file")
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--marketplace", choices=["fakemarket", "mirakl"], default="fakemarket",
                        help="the marketplace plugin and emulator (mirakl: returnhub-mirakl's, batched decisions)")
    args = parser.parse_args()
    results = [run(args, None if url in (None, "sqlite") else url) for url in (args.database_url or [None])]
    if len(results) > 1:
        print("\ndatabase     returns/s  of ceiling/calls  worker CPU/return  httpx floor/return")
        for r in results:
            print(f"{r['database']:<12} {r['rate']:9.1f}  {r['share']:15.0%}  {r['cpu_ms']:14.2f} ms"
                  f"  {r['floor_ms']:15.2f} ms")
    return 0 if all(r["complete"] for r in results) else 1


def run(args, database_url: str | None) -> dict:
    """One benchmark run on one database; its figures."""
    folder = tempfile.mkdtemp(prefix="returnhub-bench-")
    redis_url = os.environ.get("RETURNHUB_BENCH_REDIS_URL")
    if not redis_url:
        from hub.embedded import start_embedded_redis, stop_embedded_redis
        redis_url = start_embedded_redis(os.path.join(folder, "redis"))
        atexit.register(stop_embedded_redis, redis_url)  # not left running after the benchmark
    config = Config(instance_path=folder, database_url=database_url or f"sqlite:///{folder}/bench.db",
                    redis_url=redis_url, secret_key="bench", plugins=[args.marketplace, "fakeshop"],
                    allow_local_hosts=["127.0.0.1"], poll_interval=30, decision_interval=2, reconcile_interval=5,
                    concurrency=args.concurrency, batch_size=200, queue_name=f"bench-{secrets.token_hex(3)}",
                    http_retries=3)
    upgrade(config.database_url)
    hub = Hub(config)
    hub.redis.flushdb()

    per_conn = args.returns // args.connections
    shop_app = shop.create_app(auto_orders=True, auto_decide="accepted")
    shop_app.config["EMULATOR"]["latency"] = args.latency
    servers = [EmulatorServer(shop_app).start()]
    market_apps = []
    for c in range(args.connections):
        if args.marketplace == "mirakl":
            from returnhub_mirakl.emulator import create_app as mirakl_app
            app = mirakl_app()
            app.extensions["mirakl"].seed(None, per_conn)
            if args.latency:
                app.extensions["emulation"].faults.delay(args.latency, count=10**9)
        else:
            app = market.create_app()
            app.config["EMULATOR"]["returns"] = [market.sample_return(n, order_prefix=f"C{c}-")
                                                 for n in range(1, per_conn + 1)]
            app.config["EMULATOR"]["latency"] = args.latency
        market_apps.append(app)
        servers.append(EmulatorServer(app).start())
    total = per_conn * args.connections

    for c, server in enumerate(servers[1:]):
        if args.marketplace == "mirakl":
            from returnhub_mirakl.emulator import emulator_settings
            m_settings = emulator_settings(server.url)
        else:
            m_settings = {"base_url": server.url, "api_key": market.API_KEY}
        create_connection(hub, marketplace=args.marketplace, shop="fakeshop", merchant="Bench", name=f"bench {c}",
                          marketplace_settings=m_settings,
                          shop_settings={"base_url": servers[0].url, "token": shop.TOKEN})

    headers = {"Authorization": f"Bearer {shop.TOKEN}"}
    ceil = ceiling(servers[0].url, headers, 3.0 if not args.latency else 2.0)
    floor_call = client_cpu_per_call(servers[0].url, headers)
    shop_app.config["EMULATOR"]["requests"] = 0

    env = dict(os.environ, **config.to_env())
    cmd = [sys.executable, "-m", "hub.cli"]
    started = time.perf_counter()
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)  # a second database's run counts its own
    procs = [subprocess.Popen([*cmd, "worker"], env=env) for _ in range(args.workers)]
    procs.append(subprocess.Popen([*cmd, "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    queueing.enqueue(hub, Job.POLL_ALL_MARKETPLACES)
    done = 0
    try:
        while time.perf_counter() - started < args.timeout:
            with hub.session() as s:
                done = s.scalar(select(func.count(ReturnRow.id)).where(ReturnRow.state == "pushed"))
            if done >= total:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
    own = resource.getrusage(resource.RUSAGE_SELF)
    emulator_cpu = own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime
    print_job_summary(hub, started)
    market_calls = sum(len(a.extensions["emulation"].ledger.entries) if args.marketplace == "mirakl"
                       else a.config["EMULATOR"]["requests"] for a in market_apps)
    calls = shop_app.config["EMULATOR"]["requests"] + market_calls
    with hub.session() as s:
        states = dict(s.execute(select(ReturnRow.state, func.count()).group_by(ReturnRow.state)).all())
    rate = done / elapsed
    calls_per_return = calls / max(done, 1)
    target = 0.7 * ceil / calls_per_return
    print(f"returns pushed      {done}/{total} in {elapsed:.1f} s  (states: {states})")
    print(f"throughput          {rate:.1f} returns/s")
    print(f"HTTP calls/return   {calls_per_return:.2f}  (target <= 3.5; marketplace {market_calls / max(done, 1):.2f})")
    print(f"worker CPU/return   {1000 * worker_cpu / max(done, 1):.2f} ms  (workers and the scheduler)")
    print(f"httpx floor/return  {1000 * floor_call * calls_per_return:.2f} ms  (a bare httpx client's CPU, "
          f"{1000 * floor_call:.2f} ms a call in its own process, x {calls_per_return:.2f} calls)")
    print(f"emulator CPU/return {1000 * emulator_cpu / max(done, 1):.2f} ms  (this process: the emulators and the progress poll)")
    print(f"peak worker RSS     {children.ru_maxrss / 1024:.1f} MB  (target <= 200)")
    print(f"ceiling             {ceil:.0f} calls/s bare httpx loop; target throughput >= {target:.1f} returns/s"
          + (f"  (latency {args.latency * 1000:.0f} ms: target >= 50 returns/s)" if args.latency else ""))
    print(f"share of ceiling    {rate / (ceil / calls_per_return):.0%} of the ceiling / calls per return (target 70 %)")
    for server in servers:
        server.stop()
    return {"database": hub.db.engine.dialect.name, "rate": rate, "share": rate / (ceil / calls_per_return),
            "cpu_ms": 1000 * worker_cpu / max(done, 1), "floor_ms": 1000 * floor_call * calls_per_return,
            "complete": done >= total}


if __name__ == "__main__":
    sys.exit(main())
