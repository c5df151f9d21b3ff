"""The dashboard's figures for one merchant: four grouped queries, no per-return work in Python.

1. returns per state (all time, from the state index);
2. returns per (day, connection) in the period, with how many are decided: per-day chart, shares by
   marketplace, totals;
3. returned units per (reason, item) in the period: top reasons, top SKUs, unit total;
4. decision latency: percentiles in the database on PostgreSQL, from an hourly histogram on SQLite.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Integer, cast, func, literal, select

from hub.db import Connection, ReturnLine, ReturnRow


def _day(session, column):
    """The UTC calendar day of a timestamp column, on SQLite and PostgreSQL alike."""
    if session.bind.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _hours_between(session, start, end):
    if session.bind.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _histogram_percentile(histogram: list[tuple[int, int]], total: int, p: float) -> float | None:
    """The p-quantile from (whole hours, count) buckets sorted by hours, interpolated within a bucket."""
    if not total:
        return None
    target, seen = p * total, 0
    for hours, count in histogram:
        if seen + count >= target:
            return hours + (target - seen) / count
        seen += count
    return float(histogram[-1][0] + 1)


def _latency_hours(session, in_period) -> dict:
    """Median and 95th percentile of the hours from arrival in Returnhub to the decision."""
    decided = (*in_period, ReturnRow.decided_at.is_not(None))
    hours = _hours_between(session, ReturnRow.created_at, ReturnRow.decided_at)
    if session.bind.dialect.name == "postgresql":
        count, median, p95 = session.execute(select(
            func.count(), func.percentile_cont(0.5).within_group(hours),
            func.percentile_cont(0.95).within_group(hours)).where(*decided)).one()
        return {"count": count, "median": float(median) if count else None, "p95": float(p95) if count else None}
    bucket = cast(hours, Integer)
    histogram = [(int(h or 0), n) for h, n in session.execute(
        select(bucket, func.count()).where(*decided).group_by(bucket).order_by(bucket)).all()]
    total = sum(n for _, n in histogram)
    return {"count": total, "median": _histogram_percentile(histogram, total, 0.5),
            "p95": _histogram_percentile(histogram, total, 0.95)}


def dashboard(session, merchant_id: int, days: int, titles: dict[str, str]) -> dict:
    """Counts by state, returns per day, top reasons, shares by marketplace and SKU, decision latency."""
    connections = dict(session.execute(select(Connection.id, Connection.marketplace)
                                       .where(Connection.merchant_id == merchant_id)).all())
    ids = list(connections) or [-1]
    today = datetime.now(timezone.utc).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(), timezone.utc)
    in_period = (ReturnRow.connection_id.in_(ids), ReturnRow.requested_at >= since)

    states = dict(session.execute(select(ReturnRow.state, func.count()).where(ReturnRow.connection_id.in_(ids))
                                  .group_by(ReturnRow.state)).all())

    day = _day(session, ReturnRow.requested_at)
    per_day_counts: Counter[str] = Counter()
    by_marketplace: Counter[str] = Counter()
    for d, cid, n in session.execute(select(day, ReturnRow.connection_id, func.count()).where(*in_period)
                                     .group_by(day, ReturnRow.connection_id)).all():
        per_day_counts[str(d)] += n
        slug = connections.get(cid)
        by_marketplace[titles.get(slug, slug)] += n
    per_day = [(first + timedelta(days=i), per_day_counts.get((first + timedelta(days=i)).isoformat(), 0))
               for i in range(days)]

    reason = func.coalesce(ReturnLine.reason_text, ReturnLine.reason_code, "(no reason given)")
    item = func.coalesce(ReturnLine.sku, literal("EAN ") + ReturnLine.ean)
    reasons: Counter[str] = Counter()
    units: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    for r, i, quantity, n in session.execute(
            select(reason, item, func.sum(ReturnLine.quantity), func.count())
            .join(ReturnRow, ReturnLine.return_id == ReturnRow.id).where(*in_period).group_by(reason, item)).all():
        reasons[str(r)] += int(quantity or 0)
        key = i or "(no SKU or EAN)"
        units[key] += int(quantity or 0)
        lines[key] += n
    return {
        "days": days, "first": first, "today": today, "states": states, "per_day": per_day,
        "returns_total": sum(by_marketplace.values()), "units_total": sum(units.values()),
        "reasons": reasons.most_common(8),
        "skus": [(key, n, lines[key]) for key, n in units.most_common(10)],
        "by_marketplace": by_marketplace.most_common(),
        "latency": _latency_hours(session, in_period),
    }


def day_label(d: date) -> str:
    return d.strftime("%d %b")
