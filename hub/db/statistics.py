"""Planner statistics. SQLite never gathers them on its own, and without them it picks slow plans for
the overview on large tables; PostgreSQL's autovacuum normally keeps them, but may be switched off.
The scheduler refreshes them every ``REFRESH_SECONDS`` (``hub.sync.jobs.refresh_statistics``).
"""
from __future__ import annotations

from sqlalchemy.engine import Engine

REFRESH_SECONDS = 6 * 3600
SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index: enough for the planner, seconds at most


def refresh(engine: Engine) -> str:
    """Run ANALYZE on the whole database (sampled); the dialect's name."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
    return engine.dialect.name
