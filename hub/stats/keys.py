"""What a return and its lines count under in the rollups, in Python (write paths) and SQL (rebuild).

Both forms live here so that a rollup kept current return by return equals one rebuilt from the
table; ``tests/test_stats_rollups.py`` checks that they agree.

- day: the UTC calendar day of ``requested_at``; month: that day's month (its first day);
- reason: the line's reason text, else its reason code, else "(no reason given)"; beside it the reason
  code ("" when none), so the dashboard maps a tally to its canonical reason with the marketplace's
  mapping exactly as the overview maps the line (``hub.reasons.reason_of``: pair, text, code);
- item: the line's SKU, else "EAN <ean>", else "" (the dashboard shows "(no SKU or EAN)");
- latency: whole hours (truncated) from ``created_at`` (arrival in Returnhub) to ``decided_at``.
  Python computes it to the microsecond; SQLite stores times to the millisecond, so a latency within
  a millisecond of a whole hour may land one bucket apart there (the dashboard resolves it to the hour).

Reasons and items are cut to 255 characters (the key's size on PostgreSQL).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, Integer, cast, extract, func, literal

from hub.db.rollups import KEY_LENGTH

NO_REASON = "(no reason given)"
NO_ITEM = ""
_HOUR = timedelta(hours=1)


# --- Python: the write paths ----------------------------------------------------------------

def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def reason_of(reason_text: str | None, reason_code: str | None) -> str:
    reason = reason_text if reason_text is not None else reason_code if reason_code is not None else NO_REASON
    return reason[:KEY_LENGTH]


def reason_code_of(reason_code: str | None) -> str:
    """The reason code as the rollup keys it: "" when the line has none."""
    return (reason_code or "")[:KEY_LENGTH]


def item_of(sku: str | None, ean: str | None) -> str:
    item = sku if sku is not None else f"EAN {ean}" if ean is not None else NO_ITEM
    return item[:KEY_LENGTH]


def latency_hours(created_at: datetime, decided_at: datetime) -> int:
    """Whole hours from arrival to decision, truncated toward zero (as SQL's integer division)."""
    delta = decided_at - created_at
    hours = abs(delta) // _HOUR
    return hours if delta >= timedelta(0) else -hours


# --- SQL: rebuild (and migration 0004, which keeps its own copy) ------------------------------

def day_sql(dialect: str, column):
    """The UTC calendar day of a timestamp column."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC text


def month_sql(dialect: str, day_column):
    """The first day of a date column's month."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", day_column), Date)
    return func.date(day_column, "start of month")


def reason_sql(line):
    return func.substr(func.coalesce(line.reason_text, line.reason_code, NO_REASON), 1, KEY_LENGTH)


def reason_code_sql(line):
    return func.substr(func.coalesce(line.reason_code, ""), 1, KEY_LENGTH)


def item_sql(line):
    return func.substr(func.coalesce(line.sku, literal("EAN ") + line.ean, NO_ITEM), 1, KEY_LENGTH)


def latency_hours_sql(dialect: str, created_at, decided_at):
    """Whole hours from ``created_at`` to ``decided_at``, truncated toward zero."""
    if dialect == "postgresql":
        return cast(func.trunc(extract("epoch", decided_at - created_at) / 3600), Integer)
    milliseconds = cast(func.round((func.julianday(decided_at) - func.julianday(created_at)) * 86400000.0), Integer)
    return milliseconds.op("/")(3600000)  # integer division on SQLite truncates toward zero
