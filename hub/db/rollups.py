"""The dashboard's pre-aggregated figures (rollups): small tables read instead of scanning returns.

Every row is keyed by connection and the UTC calendar day of the return's ``requested_at`` (the day
the dashboard's period filters on) and holds counts that only ever get added to. ``hub.stats``
keeps them current on the write paths and rebuilds them from the returns (``returnhub stats
rebuild``); migration 0004 creates and backfills them, 0011 rebuilds ``stats_reason`` with its reason code.

The detail tables (reasons, items, decision latency) hold each figure twice: per day (``span`` =
``"day"``) and per calendar month (``span`` = ``"month"``, ``day`` = the month's first day), so a
year is read as twelve monthly rows per key plus at most a month of daily rows, instead of 365 daily
rows per key (a merchant returns hundreds of SKUs a day).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.models import Base

DAY, MONTH = "day", "month"
KEY_LENGTH = 255  # reasons and items longer than this are counted under their first 255 characters



def _no_rowid() -> dict:
    """SQLite keeps the rows in primary-key order (WITHOUT ROWID): a key range is one sequential read."""
    return {"sqlite_with_rowid": False}


class StatsDay(Base):
    """Returns per connection and day requested: the per-day chart, shares by marketplace, totals."""

    __tablename__ = "stats_day"
    __table_args__ = _no_rowid()

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    returns: Mapped[int] = mapped_column(Integer, default=0)


class StatsReason(Base):
    """Returned units and lines per return reason (reason text, else code, else "(no reason given)") and
    reason code ("" when none): together what the marketplace's mapping needs for the canonical reason."""

    __tablename__ = "stats_reason"
    __table_args__ = _no_rowid()

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), primary_key=True)
    span: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    units: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)


class StatsItem(Base):
    """Returned units and lines per item: the SKU, else "EAN <ean>", else "" (neither given)."""

    __tablename__ = "stats_item"
    __table_args__ = _no_rowid()

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), primary_key=True)
    span: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    item: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    units: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)


class StatsLatency(Base):
    """Decided returns per whole hours from arrival in Returnhub (created_at) to decided_at."""

    __tablename__ = "stats_latency"
    __table_args__ = _no_rowid()

    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id"), primary_key=True)
    span: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    decided: Mapped[int] = mapped_column(Integer, default=0)


ROLLUPS = (StatsDay, StatsReason, StatsItem, StatsLatency)
