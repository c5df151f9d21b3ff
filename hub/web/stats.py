"""The dashboard's figures for one merchant, read from the rollup tables (``hub.db.rollups``).

No query scans the merchant's returns in the period: the write paths keep pre-aggregated figures
per connection and day (and month), so a year costs a few thousand small rows whatever the volume.

1. returns per state: live, all time (a count over the (connection, state, …) index);
2. returns per (day, connection) in the period (``stats_day``): per-day chart, shares by marketplace,
   totals;
3. returned units and lines per reason and per item in the period (``stats_reason``, ``stats_item``):
   top reasons, top SKUs, the unit total;
4. decision latency: median and 95th percentile from the histogram of whole hours (``stats_latency``),
   interpolated within an hour, on SQLite and PostgreSQL alike: latency is resolved to the hour.

The period is the last ``days`` UTC days up to today, and (as before) returns requested later than
today count in the totals. Detail figures are read as daily rows up to the first whole month of the
period and monthly rows from then on.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from hub import clock, instances
from hub.db import Connection, ReturnLine, ReturnRow
from hub.db.rollups import DAY, MONTH, StatsDay, StatsItem, StatsLatency, StatsReason
from hub.stats.keys import NO_REASON

NO_ITEM_LABEL = "(no SKU or EAN)"


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


def _first_month(first: date) -> date:
    """The first day of the first calendar month that lies wholly in a period starting on ``first``."""
    if first.day == 1:
        return first
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _in_period(model, ids: list[int], first: date):
    """Rows of a detail rollup covering [first, …): daily rows before the first whole month, monthly after."""
    months = _first_month(first)
    return (model.connection_id.in_(ids),
            or_(and_(model.span == DAY, model.day >= first, model.day < months),
                and_(model.span == MONTH, model.day >= months)))


def _totals(session, model, key, ids: list[int], first: date):
    """(key, units, lines) per key of a reason or item rollup in the period, with at least one line."""
    units, lines = func.sum(model.units), func.sum(model.lines)
    return session.execute(select(key, units, lines).where(*_in_period(model, ids, first))
                           .group_by(key).having(lines != 0).order_by(key)).all()


def _latency_hours(session, ids: list[int], first: date) -> dict:
    """Median and 95th percentile of the hours from arrival in Returnhub to the decision (to the hour)."""
    decided = func.sum(StatsLatency.decided)
    histogram = [(int(h), int(n)) for h, n in session.execute(
        select(StatsLatency.hours, decided).where(*_in_period(StatsLatency, ids, first))
        .group_by(StatsLatency.hours).having(decided != 0).order_by(StatsLatency.hours)).all()]
    total = sum(n for _, n in histogram)
    return {"count": total, "median": _histogram_percentile(histogram, total, 0.5),
            "p95": _histogram_percentile(histogram, total, 0.95)}


def item_titles(session, ids: list[int], keys: list[str]) -> dict[str, str]:
    """The product name of each item key (a SKU, or "EAN <ean>"): the title of its latest line that has
    one, so "Most returned SKUs" names the product, with the SKU or EAN beside it. Ten keys, read
    through the sku and ean indexes."""
    eans = {key[4:]: key for key in keys if key.startswith("EAN ")}
    skus = {key: key for key in keys if key and key not in eans.values()}
    found: dict[str, str] = {}
    for column, wanted in ((ReturnLine.sku, skus), (ReturnLine.ean, eans)):
        if not wanted:
            continue
        latest = (select(func.max(ReturnLine.id)).join(ReturnRow, ReturnRow.id == ReturnLine.return_id)
                  .where(column.in_(list(wanted)), ReturnRow.connection_id.in_(ids), ReturnLine.title.is_not(None),
                         ReturnLine.title != "")
                  .group_by(column))
        for value, title in session.execute(select(column, ReturnLine.title).where(ReturnLine.id.in_(latest))):
            found.setdefault(wanted[value], title)
    return found


def dashboard(session, merchant_id: int, days: int, titles: dict[str, str], classify=None) -> dict:
    """Counts by state, returns per day, top reasons, shares by marketplace and SKU, decision latency.

    ``classify(marketplace, code, text)`` gives a line's canonical reason value (``hub.model.Reason``) from
    its rollup key (reason code and text), so the top reasons compare marketplaces under one label, with
    each marketplace's units beside it, and count a line where the overview's reason filter finds it.
    """
    rows = session.execute(select(Connection.id, Connection.marketplace, Connection.marketplace_settings)
                           .where(Connection.merchant_id == merchant_id)).all()
    connections = {cid: slug for cid, slug, _settings in rows}
    # connection id -> its marketplace's name (an instance's name such as "MediaMarkt"; see hub.instances)
    names = {cid: instances.name(titles, slug, settings) for cid, slug, settings in rows}
    ids = list(connections) or [-1]
    today = clock.now().date()
    first = today - timedelta(days=days - 1)

    states = dict(session.execute(select(ReturnRow.state, func.count()).where(ReturnRow.connection_id.in_(ids))
                                  .group_by(ReturnRow.state)).all())

    per_day_counts: Counter[date] = Counter()
    by_marketplace: Counter[str] = Counter()
    for d, cid, n in session.execute(select(StatsDay.day, StatsDay.connection_id, StatsDay.returns)
                                     .where(StatsDay.connection_id.in_(ids), StatsDay.day >= first)).all():
        per_day_counts[d] += n
        by_marketplace[names.get(cid, str(cid))] += n
    per_day = [(first + timedelta(days=i), per_day_counts.get(first + timedelta(days=i), 0)) for i in range(days)]
    by_marketplace = Counter({name: n for name, n in by_marketplace.items() if n})

    reasons: Counter[str] = Counter()
    for reason, n, _lines in _totals(session, StatsReason, StatsReason.reason, ids, first):
        reasons[str(reason)] += int(n or 0)
    canonical: Counter[str] = Counter()
    split: dict[str, Counter[str]] = {}
    originals: dict[str, Counter[str]] = {}
    if classify is not None:
        units_by = func.sum(StatsReason.units)
        for cid, reason, code, n in session.execute(
                select(StatsReason.connection_id, StatsReason.reason, StatsReason.reason_code, units_by)
                .where(*_in_period(StatsReason, ids, first))
                .group_by(StatsReason.connection_id, StatsReason.reason, StatsReason.reason_code)).all():
            slug = connections.get(cid)
            text = None if reason == code or (reason == NO_REASON and not code) else reason
            value = str(classify(slug, code or None, text))
            canonical[value] += int(n or 0)
            split.setdefault(value, Counter())[names.get(cid, slug)] += int(n or 0)
            originals.setdefault(value, Counter())[str(reason)] += int(n or 0)
    units: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    for item, n, line_count in _totals(session, StatsItem, StatsItem.item, ids, first):
        key = item or NO_ITEM_LABEL
        units[key] += int(n or 0)
        lines[key] += int(line_count)
    skus = [(key, n, lines[key]) for key, n in units.most_common(10)]
    return {
        "days": days, "first": first, "today": today, "states": states, "per_day": per_day,
        "returns_total": sum(by_marketplace.values()), "units_total": sum(units.values()),
        "reasons": reasons.most_common(8),
        "canonical_reasons": [(value, n, dict(split[value].most_common()),
                               [o for o, _ in originals[value].most_common(3)])
                              for value, n in canonical.most_common(11)],
        "skus": skus,
        "item_titles": item_titles(session, ids, [key for key, _n, _lines in skus if key != NO_ITEM_LABEL]),
        "by_marketplace": by_marketplace.most_common(),
        "latency": _latency_hours(session, ids, first),
    }


def day_label(d: date) -> str:
    """A chart's day in the user's language: "01 Nov", "01 nov.", "01.11."."""
    from flask_babel import format_date
    return format_date(d, "dd MMM")
