"""Merchant UI benchmark: server time of the returns overview, a filtered page, searches and the dashboard.

Seeds one merchant with N returns (100,000 by default, 1-2 lines each, states and decisions mixed,
requested over the last year) and further merchants with M more (900,000 by default: 1,000,000 in
all), then signs in and times each page in-process through the Flask app (server time, no network),
with the number of SQL statements each page ran (no N+1: it stays the same at any page size). The
seed bypasses the pipeline, so the dashboard's rollups are rebuilt after it (``returnhub stats
rebuild``); the dashboard is timed from its one-minute cache and computed (cache dropped before
every run) over 30 and 365 days.

    .venv/bin/python benchmarks/ui.py                                  # SQLite, 100k + 900k
    .venv/bin/python benchmarks/ui.py --returns 20000 --others 0       # quick
    .venv/bin/python benchmarks/ui.py --database-url postgresql+psycopg://postgres@127.0.0.1/returnhub_bench

The PostgreSQL database is emptied first. Redis: RETURNHUB_BENCH_REDIS_URL, else an embedded one.
Needs the test plugins installed (``make install-test``). Target: <= 150 ms per page.
"""
from __future__ import annotations

import argparse
import atexit
import os
import random
import re
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, event, insert, text

from hub.accounts import create_user
from hub.app import create_app
from hub.config import Config
from hub.db import Connection, Merchant, ReturnLine, ReturnRow
from hub.db import statistics as planner_statistics
from hub.db.migrate import upgrade
from hub.db.models import search_name_of
from hub.runtime import Hub
from hub.stats.rebuild import rebuild

STATES = ["in_shop"] * 30 + ["pushed"] * 45 + ["closed_without_push"] * 8 + ["received"] * 5 + \
    ["waiting_for_order"] * 4 + ["decided"] * 3 + ["needs_attention"] * 5
DECIDED = {"pushed", "closed_without_push", "decided"}
REASONS = ["TOO_SMALL", "TOO_LARGE", "DEFECT", "NOT_AS_DESCRIBED", "CHANGED_MIND", "LATE_DELIVERY"]
PASSWORD = "benchmark password"


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def seed(hub, merchant_name: str, connections: int, returns: int, start_id: int, rng: random.Random) -> int:
    """Bulk-insert ``returns`` returns over ``connections`` connections of a merchant; the next free id."""
    now = datetime.now(UTC)
    with hub.session() as s:
        merchant = Merchant(name=merchant_name)
        s.add(merchant)
        s.flush()
        conn_ids = []
        for c in range(connections):
            row = Connection(merchant_id=merchant.id, name=f"{merchant_name} {c}",
                             marketplace="fakemarket" if c % 2 == 0 else "fakeinfo", shop="fakeshop",
                             returns_enabled=True, marketplace_settings={}, shop_settings={})
            s.add(row)
            s.flush()
            conn_ids.append(row.id)
    batch, rid, line_id = 5000, start_id, start_id * 3
    for offset in range(0, returns, batch):
        rows, lines = [], []
        for i in range(offset, min(offset + batch, returns)):
            rid += 1
            state = rng.choice(STATES)
            requested = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            created = requested + timedelta(minutes=rng.randint(1, 600))
            decided_at = created + timedelta(minutes=rng.randint(10, 7 * 24 * 60)) if state in DECIDED else None
            customer = {"name": f"Customer {rid}", "email": f"c{rid}@example.com",
                        "address": {"city": "Amsterdam", "country_code": "NL"}}
            rows.append(dict(
                id=rid, connection_id=conn_ids[i % len(conn_ids)], external_id=f"R{rid}",
                marketplace_order_id=f"MO{rid}", shop_order_id=f"SO-MO{rid}", shop_return_id=f"SR{rid}",
                fulfilment="merchant", customer=customer, search_name=search_name_of(customer),
                requested_at=requested, state=state, flags=[], raw={}, is_test=False, attempts=0,
                attention_reason="create in shop: 500" if state == "needs_attention" else None,
                decided_at=decided_at, created_at=created, updated_at=decided_at or created))
            for n in range(1 + (rid % 3 == 0)):
                line_id += 1
                sku = rng.randint(1, 400)
                lines.append(dict(
                    id=line_id, return_id=rid, external_line_id=f"R{rid}-{n}", sku=f"SKU-{sku}",
                    ean=f"87{sku:011d}", title=f"Item {sku}", quantity=rng.randint(1, 3),
                    reason_code=rng.choice(REASONS), raw={}, currency="EUR",
                    decision="accepted" if decided_at else None, decision_quantity=1 if decided_at else None,
                    decided_at=decided_at))
        with hub.session() as s:
            s.execute(insert(ReturnRow), rows)
            s.execute(insert(ReturnLine), lines)
    return rid


def timed(client, url: str, counter: list[int], repeat: int, before=None) -> tuple[float, float, int]:
    """(median ms, max ms, SQL statements) of GET ``url`` over ``repeat`` runs after one warm-up."""
    assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeat):
        if before:
            before()
        counter[0] = 0
        started = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and body, url
    return statistics.median(samples), max(samples), counter[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=100_000, help="returns of the measured merchant")
    parser.add_argument("--others", type=int, default=900_000, help="returns of the other merchants in all")
    parser.add_argument("--merchants", type=int, default=50, help="how many other merchants share --others")
    parser.add_argument("--connections", type=int, default=4, help="connections per merchant")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database seeded by an earlier run (needs --database-url)")
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")

    folder = tempfile.mkdtemp(prefix="returnhub-uibench-")
    database_url = args.database_url or f"sqlite:///{folder}/bench.db"
    if database_url.startswith("postgresql") and not args.reuse:
        reset_postgres(database_url)
    redis_url = os.environ.get("RETURNHUB_BENCH_REDIS_URL")
    if not redis_url:
        from hub.embedded import start_embedded_redis, stop_embedded_redis
        redis_url = start_embedded_redis(os.path.join(folder, "redis"))
        atexit.register(stop_embedded_redis, redis_url)  # not left running after the benchmark
    config = Config(instance_path=folder, database_url=database_url, redis_url=redis_url, secret_key="bench",
                    plugins=["fakemarket", "fakeinfo", "fakeshop"], secure_cookies=False,
                    queue_name=f"uibench-{secrets.token_hex(3)}")
    upgrade(database_url)
    hub = Hub(config).activate()
    rng = random.Random(42)

    started = time.perf_counter()
    next_id, rebuilt = 0, 0.0
    if args.reuse:
        with hub.db.engine.begin() as conn:
            next_id = conn.execute(text("SELECT max(id) FROM return_request")).scalar() or 0
    else:
        if args.others and args.merchants:
            per = args.others // args.merchants
            for m in range(args.merchants):
                next_id = seed(hub, f"Other {m}", args.connections, per, next_id, rng)
        next_id = seed(hub, "Measured", args.connections, args.returns, next_id, rng)
        rebuild_started = time.perf_counter()  # the bulk seed bypassed the pipeline: `returnhub stats rebuild`
        with hub.session() as s:
            rebuild(s)
        rebuilt = time.perf_counter() - rebuild_started
        # steady state: what autovacuum does on PostgreSQL (visibility map for index-only scans), and on
        # SQLite the scheduler's sampled statistics job (hub.db.statistics)
        if database_url.startswith("postgresql"):
            with hub.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            planner_statistics.refresh(hub.db.engine)
    seeded = time.perf_counter() - started
    create_user(hub, email="bench@example.com", password=PASSWORD, merchant_name="Measured")

    counter = [0]
    event.listen(hub.db.engine, "before_cursor_execute", lambda *a, **k: counter.__setitem__(0, counter[0] + 1))
    app = create_app(hub=hub)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": "bench@example.com", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302

    first = client.get("/").get_data(as_text=True)
    deep_cursor = re.search(r'id="next-page" href="/\?after=([^"]+)"', first).group(1)
    pages = [
        ("overview, first page", "/"),
        ("overview, next page (keyset)", f"/?after={deep_cursor}"),
        ("needs attention tab", "/?state=needs_attention"),
        ("filtered: state + marketplace + dates", "/?state=pushed&marketplace=fakemarket"
                                                  "&date_from=2026-01-01&sort=requested_desc"),
        ("filtered: decision", "/?decision=accepted"),
        ("search: order id", f"/?q=MO{next_id - 1234}"),
        ("search: EAN", "/?q=8700000000123"),
        ("search: customer name", f"/?q=Customer {next_id - 4321}"),
        ("dashboard, 30 days (cached, < 1 min old)", "/dashboard/"),
        ("dashboard, 30 days (computed)", "/dashboard/", True),
        ("dashboard, 365 days (computed)", "/dashboard/?days=365", True),
    ]

    for url, wanted in ((f"/?q=MO{next_id - 1234}", f"R{next_id - 1234}"),
                        (f"/?q=customer {next_id - 4321}", f"R{next_id - 4321}")):  # a search times a hit
        assert f">{wanted}</a>" in client.get(url).get_data(as_text=True), f"{url} does not find {wanted}"

    def drop_dashboard_cache():
        keys = hub.redis.keys("returnhub:dashboard:*")
        if keys:
            hub.redis.delete(*keys)
    backend = hub.db.engine.dialect.name
    print(f"{backend}: {args.returns:,} returns for the measured merchant, {args.others:,} for "
          f"{args.merchants} others; seeded in {seeded:.0f} s (dashboard figures rebuilt in {rebuilt:.1f} s)")
    print(f"{'page':42} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    worst = 0.0
    for label, url, *cold in pages:
        median, peak, queries = timed(client, url, counter, args.repeat, drop_dashboard_cache if cold else None)
        worst = max(worst, median)
        print(f"{label:42} {median:10.1f} {peak:8.1f} {queries:8d}")
    print(f"worst median {worst:.1f} ms (target <= 150 ms)")
    hub.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
