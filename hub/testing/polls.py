"""One job of a connection at a time, and what the hub kept of it, for plugin tests: run a poll or a push and
get its result, read a connection's status and last error, its stored cursor, its quarantine. With these
and :mod:`hub.testing.flow`, plugin tests import no ``hub.db`` or ``hub.sync``."""
from __future__ import annotations

from sqlalchemy import select

from hub.db import Connection, QuarantinedItem, SyncCursor
from hub.sync import jobs


def poll(connection_id: int) -> dict:
    """One marketplace poll, as the scheduled job runs it: ``{"new", "known", "quarantined", "pages"}``,
    plus ``"error"`` when a page failed, or ``{"skipped": why}``."""
    return jobs.poll_marketplace(connection_id)


def push(connection_id: int) -> dict:
    """One decision push job (``{"skipped": why}`` when the marketplace takes no decisions)."""
    return jobs.push_decisions(connection_id)


def schedule() -> None:
    """What the scheduler queues on its own: every connection's poll, and the reconciler's work."""
    jobs.poll_all_marketplaces()
    jobs.reconcile()


def connection_state(hub, connection_id: int) -> dict:
    """``{"status", "status_reason", "last_error"}`` of a connection (what its page shows)."""
    with hub.session() as s:
        conn = s.get(Connection, connection_id)
        return {"status": conn.status, "status_reason": conn.status_reason, "last_error": conn.last_error}


def stored_cursor(hub, connection_id: int, side: str = "marketplace") -> str | None:
    """The cursor the core stored after the connection's last page (None before the first)."""
    with hub.session() as s:
        row = s.get(SyncCursor, (connection_id, side))
        return row.value if row else None


def quarantine(hub, connection_id: int) -> list[dict]:
    """The connection's quarantined items: ``{"external_id", "reason", "raw"}`` each, oldest first."""
    with hub.session() as s:
        rows = s.scalars(select(QuarantinedItem).where(QuarantinedItem.connection_id == connection_id)
                         .order_by(QuarantinedItem.id))
        return [{"external_id": q.external_id, "reason": q.reason, "raw": q.raw} for q in rows]
