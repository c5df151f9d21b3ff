"""Keeping the rollups current: the write paths add figures to the transaction, written at commit.

``count_return`` (called by ``hub.sync.state.record_creation`` for every new return) and
``count_decision`` (called by ``hub.sync.state.transition`` when it changes ``decided_at``) only
add to a tally in ``session.info``. Just before the transaction commits, ``write_pending`` (a
``before_commit`` listener on every session of ``hub.db.Database``) turns the tally into one
``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` per table: a page of imported returns
costs three statements, a batch of decisions one, whatever their number. Figures and returns commit
or roll back together.

Concurrency: the upsert is atomic on PostgreSQL (two workers adding to the same key both count) and
SQLite serialises writers. Rows are written in key order, tables always in the same order, so two
transactions never wait for each other's rows in opposite orders (no deadlock).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.db.rollups import (
    DAY,
    MONTH,
    ROLLUPS,
    StatsDay,
    StatsItem,
    StatsLatency,
    StatsReason,
)
from hub.db.upsert import insert_for
from hub.stats import keys

_PENDING = "returnhub_stats_deltas"
_CHUNK = 1000  # rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits
_TABLES = {model: model.__table__ for model in ROLLUPS}
_KEYS = {model: [c.name for c in model.__table__.primary_key.columns] for model in ROLLUPS}
_VALUES = {model: [c.name for c in model.__table__.columns if not c.primary_key] for model in ROLLUPS}


def _tally(session: Session, model) -> dict[tuple, list[int]]:
    pending = session.info.setdefault(_PENDING, {})
    return pending.setdefault(model, {})


def _add(tally: dict, key: tuple, *values: int) -> None:
    current = tally.get(key)
    if current is None:
        tally[key] = list(values)
    else:
        for i, value in enumerate(values):
            current[i] += value


def count_return(session: Session, row, sign: int = 1) -> None:
    """Add a new return (with its lines) to the figures of its day; ``sign=-1`` takes a deleted one off."""
    day = keys.day_of(row.requested_at)
    month = keys.month_of(day)
    _add(_tally(session, StatsDay), (row.connection_id, day), sign)
    reasons, items = _tally(session, StatsReason), _tally(session, StatsItem)
    for line in row.lines:
        reason = keys.reason_of(line.reason_text, line.reason_code), keys.reason_code_of(line.reason_code)
        item = keys.item_of(line.sku, line.ean)
        units = sign * int(line.quantity or 0)
        for span, start in ((DAY, day), (MONTH, month)):
            _add(reasons, (row.connection_id, span, start, *reason), units, sign)
            _add(items, (row.connection_id, span, start, item), units, sign)
    if row.decided_at is not None:
        before, after = (None, row.decided_at) if sign > 0 else (row.decided_at, None)
        count_decision(session, row, before, after)


def count_decision(session: Session, row, before: datetime | None, after: datetime | None) -> None:
    """Move a return's decision in the latency histogram: ``decided_at`` went from ``before`` to ``after``."""
    if before == after:
        return
    day = keys.day_of(row.requested_at)
    latency = _tally(session, StatsLatency)
    for moment, sign in ((before, -1), (after, 1)):
        if moment is not None:
            hours = keys.latency_hours(row.created_at, moment)
            for span, start in ((DAY, day), (MONTH, keys.month_of(day))):
                _add(latency, (row.connection_id, span, start, hours), sign)


def _upsert(dialect: str, model, rows: list[dict]):
    table = _TABLES[model]
    insert = insert_for(dialect, table).values(rows)
    return insert.on_conflict_do_update(
        index_elements=_KEYS[model],
        set_={name: table.c[name] + getattr(insert.excluded, name) for name in _VALUES[model]})


def write_pending(session: Session) -> None:
    """Write the transaction's tally as one grouped upsert per rollup table (``before_commit``)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    for model in ROLLUPS:
        tally = pending.get(model)
        if not tally:
            continue
        names = _KEYS[model] + _VALUES[model]
        rows = [dict(zip(names, (*key, *values))) for key, values in sorted(tally.items()) if any(values)]
        for start in range(0, len(rows), _CHUNK):
            connection.execute(_upsert(dialect, model, rows[start:start + _CHUNK]))


def forget_pending(session: Session) -> None:
    """Drop the tally of a transaction that rolled back (``after_rollback``)."""
    session.info.pop(_PENDING, None)


def install(session_factory) -> None:
    """Keep the rollups current in every session ``session_factory`` makes."""
    from sqlalchemy import event
    event.listen(session_factory, "before_commit", write_pending)
    event.listen(session_factory, "after_rollback", forget_pending)
