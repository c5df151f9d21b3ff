"""INSERT … ON CONFLICT for the two databases the hub runs on: both SQLite and PostgreSQL spell it the
same way, but each through its own dialect's ``insert``."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect: str, table):
    """The dialect's ``insert(table)``, which offers ``on_conflict_do_update`` and ``excluded``."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
