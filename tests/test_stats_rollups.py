"""The dashboard's rollups: kept current by the pipeline, equal to a recomputation, rebuilt, backfilled.

The oracle here recomputes every figure in Python from the returns and lines; the dashboard must
show what the grouped queries over returns showed before the rollups (latency now to the hour).
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from click.testing import CliRunner
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import selectinload
from test_api_support import (  # noqa: F401  (fixtures: the api shop loaded too)
    api_app,
    api_client,
    api_hub_plugins,
    bearer,
)
from test_web import import_returns, post, signed_in

from hub.app import create_app
from hub.cli import main as cli
from hub.db import Connection, Merchant, ReturnLine, ReturnRow
from hub.db.migrate import alembic_config, upgrade
from hub.db.rollups import ROLLUPS, StatsDay, StatsItem, StatsLatency, StatsReason
from hub.model import Decision, LineDecision, State, load_return
from hub.stats import deltas
from hub.stats.rebuild import rebuild
from hub.sync import jobs
from hub.sync.deciding import decide_manually
from hub.sync.records import new_row
from hub.sync.state import record_creation, transition
from hub.web import stats

TITLES = {"fakemarket": "Fake Marketplace", "fakeinfo": "Fake Info"}


# --- the oracle --------------------------------------------------------------------------------

def _hours(created: datetime, decided: datetime) -> int:
    seconds = (decided - created).total_seconds()
    return int(seconds / 3600)  # truncated toward zero


def _reason(line) -> str:
    return next(v for v in (line.reason_text, line.reason_code, "(no reason given)") if v is not None)[:255]


def _code(line) -> str:
    return (line.reason_code or "")[:255]


def _item(line) -> str:
    return (line.sku if line.sku is not None else f"EAN {line.ean}" if line.ean is not None else "")[:255]


def _all_returns(session) -> list[ReturnRow]:
    return list(session.scalars(select(ReturnRow).options(selectinload(ReturnRow.lines))))


def recomputed(hub) -> dict:
    """Every rollup row, computed in Python from the returns and lines."""
    tally: dict = {model: Counter() for model in ROLLUPS}
    with hub.session() as s:
        rows = _all_returns(s)
    for row in rows:
        day = row.requested_at.astimezone(UTC).date()
        spans = (("day", day), ("month", day.replace(day=1)))
        tally[StatsDay][(row.connection_id, day, "returns")] += 1
        for line in row.lines:
            for span, start in spans:
                for model, key in ((StatsReason, (_reason(line), _code(line))), (StatsItem, (_item(line),))):
                    tally[model][(row.connection_id, span, start, *key, "units")] += line.quantity
                    tally[model][(row.connection_id, span, start, *key, "lines")] += 1
        if row.decided_at is not None:
            for span, start in spans:
                hours = _hours(row.created_at, row.decided_at)
                tally[StatsLatency][(row.connection_id, span, start, hours, "decided")] += 1
    return {model: {k: n for k, n in counts.items() if n} for model, counts in tally.items()}


def stored(hub) -> dict:
    """Every rollup row as stored, in the oracle's shape (rows whose figures are all zero left out)."""
    result = {}
    with hub.session() as s:
        for model in ROLLUPS:
            table = model.__table__
            key_names = [c.name for c in table.primary_key.columns]
            value_names = [c.name for c in table.columns if not c.primary_key]
            found = {}
            for row in s.execute(select(table)).mappings():
                key = tuple(row[k] for k in key_names)
                for name in value_names:
                    if row[name]:
                        found[(*key, name)] = row[name]
            result[model] = found
    return result


def assert_rollups_match(hub) -> dict:
    expected = recomputed(hub)
    assert stored(hub) == expected
    return expected


def live_dashboard(hub, merchant_id: int, days: int) -> dict:
    """The dashboard's figures computed in Python from every return of the merchant (as before the rollups)."""
    with hub.session() as s:
        conns = dict(s.execute(select(Connection.id, Connection.marketplace)
                               .where(Connection.merchant_id == merchant_id)).all())
        rows = [r for r in _all_returns(s) if r.connection_id in conns]
    today = datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    in_period = [r for r in rows if r.requested_at.astimezone(UTC).date() >= first]
    per_day = Counter(r.requested_at.astimezone(UTC).date() for r in in_period)
    by_marketplace = Counter(TITLES.get(conns[r.connection_id], conns[r.connection_id]) for r in in_period)
    reasons, units, lines = Counter(), Counter(), Counter()
    for r in in_period:
        for line in r.lines:
            reasons[_reason(line)] += line.quantity
            units[_item(line) or "(no SKU or EAN)"] += line.quantity
            lines[_item(line) or "(no SKU or EAN)"] += 1
    hours = Counter(_hours(r.created_at, r.decided_at) for r in in_period if r.decided_at is not None)
    histogram, total = sorted(hours.items()), sum(hours.values())
    return {
        "states": dict(Counter(r.state for r in rows)),
        "per_day": [(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(days)],
        "returns_total": len(in_period), "units_total": sum(units.values()),
        "reasons": dict(reasons), "skus": {k: (n, lines[k]) for k, n in units.items()},
        "by_marketplace": dict(by_marketplace),
        "latency": {"count": total, "median": stats._histogram_percentile(histogram, total, 0.5),
                    "p95": stats._histogram_percentile(histogram, total, 0.95)},
    }


def assert_top(got: list[tuple[str, int]], want: dict[str, int], n: int) -> None:
    """``got`` is a top ``n`` of ``want`` by count, largest first (equal counts in any order)."""
    assert len(got) == min(n, len(want))
    assert all(want[key] == count for key, count in got)
    counts = [count for _, count in got]
    assert counts == sorted(counts, reverse=True)
    left_out = [count for key, count in want.items() if key not in dict(got)]
    assert not left_out or max(left_out) <= min(counts)


def assert_dashboard_is_live(hub, merchant_id: int) -> None:
    """The dashboard read from the rollups equals the live recomputation, for every period."""
    for days in (7, 30, 90, 365):
        with hub.session() as s:
            got = stats.dashboard(s, merchant_id, days, TITLES)
        want = live_dashboard(hub, merchant_id, days)
        assert got["states"] == want["states"]
        assert got["per_day"] == want["per_day"]
        assert (got["returns_total"], got["units_total"]) == (want["returns_total"], want["units_total"])
        assert dict(got["by_marketplace"]) == want["by_marketplace"]
        assert_top(got["reasons"], want["reasons"], 8)
        assert_top([(k, n) for k, n, _ in got["skus"]], {k: n for k, (n, _) in want["skus"].items()}, 10)
        assert all(want["skus"][k] == (n, lines) for k, n, lines in got["skus"])
        assert got["latency"] == pytest.approx(want["latency"])


def merchant_of(hub, cid: int) -> int:
    with hub.session() as s:
        return s.get(Connection, cid).merchant_id


# --- kept current by the write paths ------------------------------------------------------------

def _returns_around_today(numbers):
    """Fake-marketplace returns requested on the period's edges: today, month starts, 7/30/90/365 days back."""
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    moments = [today, today + timedelta(days=1), today.replace(day=1, hour=0), today.replace(day=1) - timedelta(seconds=1)]
    moments += [today - timedelta(days=d) for d in (6, 7, 29, 30, 89, 90, 364, 365, 400)]
    out = []
    for n, moment in zip(numbers, moments * 3):
        ret = sample_return(n, lines=1 + n % 3, quantity=1 + n % 2)
        ret["created"] = moment.isoformat()
        for i, item in enumerate(ret["items"]):
            if n % 4 == 0:
                item["reason"] = None  # no reason given
            if n % 5 == i:
                item["sku"] = None  # counted as EAN …
        out.append(ret)
    return out


def test_pipeline_keeps_the_rollups_equal_to_a_recomputation(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    other = make_connection(marketplace="fakeinfo")
    returns = _returns_around_today(range(1, 31))
    market_emu.state["returns"].extend(returns)
    for r in returns:
        shop_emu.state["orders"][r["order"]] = {"id": f"SO-{r['order']}", "number": r["order"]}
    jobs.poll_marketplace(cid)
    jobs.poll_marketplace(other)
    drain()
    expected = assert_rollups_match(hub)
    assert sum(expected[StatsDay].values()) == 60
    for record in list(shop_emu.state["returns"].values())[::2]:  # the shop decides every other return
        for line in record["lines"].values():
            line.update(decision="accepted", decided_qty=line["quantity"])
        record["status"] = "decided"
    jobs.poll_decisions(cid)
    jobs.poll_decisions(other)
    drain()
    with hub.session() as s:
        assert {"pushed", "closed_without_push", "in_shop"} <= set(s.scalars(select(ReturnRow.state)))
    assert sum(assert_rollups_match(hub)[StatsLatency].values()) == 2 * 30  # day and month rows
    assert_dashboard_is_live(hub, merchant_of(hub, cid))


def test_marketplace_fulfilled_returns_count_their_decision(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    returns = [sample_return(n, fulfilment="marketplace", method="FBX") for n in (1, 2)]
    market_emu.state["returns"].extend(returns)
    for r in returns:
        shop_emu.state["orders"][r["order"]] = {"id": f"SO-{r['order']}", "number": r["order"]}
    jobs.poll_marketplace(cid)
    drain()
    with hub.session() as s:
        assert set(s.scalars(select(ReturnRow.state))) == {"closed_without_push"}
    assert sum(assert_rollups_match(hub)[StatsLatency].values()) == 4


def test_manual_decision_and_a_second_decision_after_a_failed_push(hub, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2])
    market_emu.state["faults"].append({"path": "/decision", "status": 400, "count": 1000})
    assert decide_manually(hub, 1, [LineDecision("R1-1", Decision.ACCEPTED)], "checked", "user:a@example.com")
    drain()
    with hub.session() as s:
        row = s.get(ReturnRow, 1)
        assert row.state == "needs_attention" and row.decided_at is not None
        # an older first decision (written past the rollups, then rebuilt), so the second one moves buckets
        s.execute(ReturnRow.__table__.update().where(ReturnRow.id == 1).values(
            decided_at=row.created_at + timedelta(hours=5)))
    with hub.session() as s:
        rebuild(s)
    assert {k[3] for k in assert_rollups_match(hub)[StatsLatency]} == {5}
    market_emu.state["faults"].clear()
    assert decide_manually(hub, 1, [LineDecision("R1-1", Decision.REJECTED)], "second look", "user:a@example.com")
    drain()
    with hub.session() as s:
        assert s.get(ReturnRow, 1).state == "pushed"
    expected = assert_rollups_match(hub)
    assert sum(expected[StatsLatency].values()) == 2  # one decided return: its day and its month row
    assert {k[3] for k in expected[StatsLatency]} == {0}


def test_dashboard_page_shows_the_recomputed_figures(hub, make_connection, market_emu, shop_emu, drain):
    app = create_app(hub=hub)
    client = signed_in(app, hub)
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, range(1, 6))
    with hub.session() as s:
        rid = s.scalar(select(ReturnRow.id).where(ReturnRow.external_id == "R1"))
    post(client, f"/returns/{rid}/decide", {"decision:R1-1": "accepted", "note": "checked"}, page="/")
    drain()
    want = live_dashboard(hub, merchant_of(hub, cid), 365)
    page = client.get("/dashboard/?days=365").get_data(as_text=True)
    assert f"{want['returns_total']} returns, {want['units_total']} units" in page
    assert f"({want['latency']['count']} decided)" in page and want["latency"]["count"] == 1
    assert_dashboard_is_live(hub, merchant_of(hub, cid))


def test_api_test_returns_and_api_decisions_are_counted(hub, client, market_emu, drain):
    headers = bearer(hub)
    cid = client.post("/api/v1/connections", headers=headers, json={
        "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    created = client.post(f"/api/v1/connections/{cid}/test-returns", headers=headers, json={
        "lines": [{"sku": "A", "quantity": 2}, {"sku": None, "ean": "8712345000028", "quantity": 1}]})
    assert created.status_code == 201, created.get_json()
    drain()
    done = client.post(f"/api/v1/returns/{created.get_json()['id']}/decision", headers=headers,
                       json={"decision": "accept"})
    assert done.get_json()["state"] == "closed_without_push"
    expected = assert_rollups_match(hub)
    assert sum(expected[StatsDay].values()) == 1 and sum(expected[StatsLatency].values()) == 2
    assert {k[3] for k in expected[StatsItem]} == {"A", "EAN 8712345000028"}


# --- the keys: Python (write paths) and SQL (rebuild, migration) agree --------------------------

def _crafted(hub, cid: int, n: int, requested: datetime, lines: list[dict]) -> ReturnRow:
    ret = load_return({
        "external_id": f"K{n}", "marketplace_order_id": f"KO{n}", "requested_at": requested.isoformat(),
        "lines": [{"external_line_id": f"K{n}-{i}", "quantity": 1, **line} for i, line in enumerate(lines)]})
    with hub.session() as s:
        row = new_row(cid, ret)
        row.created_at = requested + timedelta(minutes=10)
        s.add(row)
        s.flush()
        record_creation(s, row, "test")
        s.expunge(row)
    return row


def test_python_and_sql_keys_agree_on_the_edges(hub, make_connection):
    cid = make_connection()
    long_reason = "ä" * 300
    rows = [
        _crafted(hub, cid, 1, datetime(2026, 3, 31, 23, 59, 59, 999999, UTC), [
            {"sku": None, "ean": "8712345000011", "reason_text": long_reason, "quantity": 2},
            {"sku": None, "ean": None, "reason_code": "CODE"}, {"sku": "S" * 128, "reason_text": "", "reason_code": "X"}]),
        _crafted(hub, cid, 2, datetime(2026, 4, 1, 0, 0, 0, 1, UTC), [{"sku": "A"}]),
        _crafted(hub, cid, 3, datetime(2026, 4, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), [{"sku": "A"}]),
        _crafted(hub, cid, 4, datetime(2025, 12, 31, 12, tzinfo=UTC), [{"sku": "B", "reason_text": "Too small"}]),
    ]
    latencies = [timedelta(hours=2), timedelta(hours=3) - timedelta(microseconds=1500), timedelta(minutes=-30),
                 timedelta(days=40, hours=1, seconds=1)]
    for row, latency in zip(rows, latencies):
        with hub.session() as s:
            assert transition(s, row, State.IN_SHOP, "test")
            assert transition(s, row, State.DECIDED, "test", decided_at=row.created_at + latency)
    expected = assert_rollups_match(hub)
    assert {k[3] for k in expected[StatsLatency]} == {2, 0, 961}
    assert ("EAN 8712345000011" in {k[3] for k in expected[StatsItem]}) and "" in {k[3] for k in expected[StatsItem]}
    assert long_reason[:255] in {k[3] for k in expected[StatsReason]}
    with hub.session() as s:
        rebuild(s)
    assert stored(hub) == expected


def test_rolled_back_transactions_leave_no_figures(hub, make_connection):
    cid = make_connection()
    with hub.session() as s:
        row = new_row(cid, load_return({"external_id": "X1", "marketplace_order_id": "XO1",
                                        "requested_at": datetime.now(UTC).isoformat(),
                                        "lines": [{"external_line_id": "X1-1", "quantity": 1}]}))
        s.add(row)
        s.flush()
        record_creation(s, row, "test")
        s.rollback()  # the return and its figures are gone ...
        s.add(Merchant(name="committed after the rollback"))  # ... even when the session commits later
    assert stored(hub) == recomputed(hub) == {model: {} for model in ROLLUPS}


def test_two_writers_adding_to_the_same_key_both_count(hub, make_connection):
    """The second upsert waits for the first transaction, then adds to its row."""
    cid = make_connection()
    key_day = date(2026, 1, 5)

    def add_one(session):
        session.info.setdefault("returnhub_stats_deltas", {}).setdefault(StatsDay, {})[(cid, key_day)] = [1]

    first = hub.db.Session()
    add_one(first)
    deltas.write_pending(first)  # upserted, not committed yet
    done = threading.Event()

    def second():
        with hub.session() as s:
            add_one(s)
        done.set()
    worker = threading.Thread(target=second)
    worker.start()
    assert not done.wait(0.5), "the second writer waits for the first one (row lock; SQLite: the write lock)"
    first.commit()
    first.close()
    worker.join(30)
    assert done.is_set()
    with hub.session() as s:
        assert s.scalar(select(StatsDay.returns).where(StatsDay.connection_id == cid)) == 2


# --- rebuild and backfill ---------------------------------------------------------------------------

def _bulk_load(hub, cid: int, count: int) -> None:
    """Returns written straight to the tables, bypassing the pipeline (as a bulk import or the benchmark)."""
    now = datetime.now(UTC).replace(microsecond=0)
    with hub.db.engine.begin() as conn:
        for n in range(1, count + 1):
            requested = now - timedelta(days=n * 7, minutes=n)
            created = requested + timedelta(hours=1)
            rid = conn.execute(insert(ReturnRow.__table__).values(
                connection_id=cid, external_id=f"B{n}", marketplace_order_id=f"BO{n}", requested_at=requested,
                state="pushed" if n % 2 else "in_shop", created_at=created, updated_at=created, flags=[], raw={},
                is_test=False, attempts=0, fulfilment="merchant",
                decided_at=created + timedelta(minutes=37 * n) if n % 2 else None)).inserted_primary_key[0]
            for i in range(n % 3 + 1):
                conn.execute(insert(ReturnLine.__table__).values(
                    return_id=rid, external_line_id=f"B{n}-{i}", sku=f"SKU-{i}" if i else None, ean=f"87{n:011d}",
                    quantity=i + 1, reason_code=f"R{n % 4}" if n % 5 else None, raw={}))


def test_stats_rebuild_command_recomputes_from_the_returns(hub, make_connection, market_emu, shop_emu, drain,
                                                           monkeypatch):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2, 3])
    _bulk_load(hub, cid, 60)
    assert stored(hub) != recomputed(hub)
    monkeypatch.setenv("RETURNHUB_DATABASE_URL", hub.config.database_url)
    result = CliRunner().invoke(cli, ["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "dashboard figures rebuilt: stats_day" in result.output
    assert_rollups_match(hub)
    assert_dashboard_is_live(hub, merchant_of(hub, cid))
    import_returns(hub, market_emu, shop_emu, drain, cid, [4, 5])  # and the pipeline goes on from there
    assert_rollups_match(hub)


def test_migration_backfills_the_rollups(hub, make_connection, market_emu, shop_emu, drain):
    url = hub.config.database_url
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2, 3])
    before = recomputed(hub)
    hub.db.dispose()
    command.downgrade(alembic_config(url), "0003")
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            assert "stats_day" not in {r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master" if url.startswith("sqlite") else
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))}
        engine.dispose()
        _bulk_load(hub, cid, 40)
    finally:
        upgrade(url)
    expected = assert_rollups_match(hub)
    assert len(expected[StatsDay]) > len(before[StatsDay])
    assert sum(expected[StatsLatency].values()) == 2 * 20
    assert_dashboard_is_live(hub, merchant_of(hub, cid))
