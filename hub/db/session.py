"""Engine and session factory; SQLite gets WAL and a busy timeout so workers can share the file.

Every session writes the dashboard's rollup figures its transaction tallied just before it commits
(``hub.stats.deltas``).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value) -> str:
    return json.dumps(value, default=_json_default)


class Database:
    """One engine per process; ``session()`` is a context manager that commits or rolls back."""

    def __init__(self, url: str, threads: int = 16):
        """``threads``: how many threads of this process may hold a session at once (a batch job's
        concurrency); the pool keeps that many connections open, so a busy batch does not open and
        close an overflow connection per return."""
        self.url = url
        kwargs = {"json_serializer": _dumps, "future": True}
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database not in (None, "", ":memory:"):
            kwargs.update(pool_size=threads + 4, max_overflow=10)  # an in-memory SQLite has one connection
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 60}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        from hub.stats.deltas import install
        install(self.Session)  # the dashboard's rollups are written with each transaction that changes them

    @contextmanager
    def session(self):
        session: Session = self.Session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption, fsync at checkpoints
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()
