"""Recomputing every rollup from the returns and lines (``returnhub stats rebuild``).

For a database loaded without the pipeline (a bulk import, the UI benchmark's seed) and as the
repair when figures are ever in doubt: the rollups are emptied and refilled by grouped
``INSERT ... SELECT`` statements in one transaction, daily rows from the returns, monthly rows from
the daily ones. On PostgreSQL the rollup tables are locked first (writers wait for the rebuild and
then add their own figures), so a rebuild while workers run counts every return exactly once.
"""
from __future__ import annotations

from sqlalchemy import delete, func, insert, literal_column, select, text
from sqlalchemy.orm import Session

from hub.db import ReturnLine, ReturnRow
from hub.db.rollups import (
    DAY,
    MONTH,
    ROLLUPS,
    StatsDay,
    StatsItem,
    StatsLatency,
    StatsReason,
)
from hub.stats import keys


def _span(name: str):
    return literal_column(f"'{name}'")


def rebuild(session: Session) -> dict[str, int]:
    """Replace the rollups by figures recomputed from the returns, in ``session``'s transaction.

    Gives the number of rows written per rollup table.
    """
    dialect = session.connection().dialect.name
    if dialect == "postgresql":
        names = ", ".join(model.__tablename__ for model in ROLLUPS)
        session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    for model in ROLLUPS:
        session.execute(delete(model))
    r, line = ReturnRow, ReturnLine
    day = keys.day_sql(dialect, r.requested_at)
    reason, code, item = keys.reason_sql(line), keys.reason_code_sql(line), keys.item_sql(line)
    hours = keys.latency_hours_sql(dialect, r.created_at, r.decided_at)
    joined = select().select_from(line).join(r, line.return_id == r.id)

    session.execute(insert(StatsDay).from_select(
        ["connection_id", "day", "returns"],
        select(r.connection_id, day, func.count()).group_by(r.connection_id, day)))
    session.execute(insert(StatsReason).from_select(
        ["connection_id", "span", "day", "reason", "reason_code", "units", "lines"],
        joined.add_columns(r.connection_id, _span(DAY), day, reason, code, func.sum(line.quantity), func.count())
        .group_by(r.connection_id, day, reason, code)))
    session.execute(insert(StatsItem).from_select(
        ["connection_id", "span", "day", "item", "units", "lines"],
        joined.add_columns(r.connection_id, _span(DAY), day, item, func.sum(line.quantity), func.count())
        .group_by(r.connection_id, day, item)))
    session.execute(insert(StatsLatency).from_select(
        ["connection_id", "span", "day", "hours", "decided"],
        select(r.connection_id, _span(DAY), day, hours, func.count()).where(r.decided_at.is_not(None))
        .group_by(r.connection_id, day, hours)))
    for model, names, values in ((StatsReason, ("reason", "reason_code"), ("units", "lines")),
                                 (StatsItem, ("item",), ("units", "lines")), (StatsLatency, ("hours",), ("decided",))):
        month = keys.month_sql(dialect, model.day)
        columns = [getattr(model, name) for name in names]
        session.execute(insert(model).from_select(
            ["connection_id", "span", "day", *names, *values],
            select(model.connection_id, _span(MONTH), month, *columns,
                   *(func.sum(getattr(model, v)) for v in values))
            .where(model.span == DAY).group_by(model.connection_id, month, *columns)))
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in ROLLUPS}
