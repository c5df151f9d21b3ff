"""Storage: SQLAlchemy tables, sessions and Alembic migrations. The database is the source of truth."""
from hub.db.models import (
    Base,
    Connection,
    Merchant,
    QuarantinedItem,
    ReturnEvent,
    ReturnLine,
    ReturnRow,
    SyncCursor,
    User,
    WebhookDelivery,
)
from hub.db.rollups import StatsDay, StatsItem, StatsLatency, StatsReason
from hub.db.session import Database

__all__ = [
    "Base", "Connection", "Database", "Merchant", "QuarantinedItem", "ReturnEvent", "ReturnLine",
    "ReturnRow", "StatsDay", "StatsItem", "StatsLatency", "StatsReason", "SyncCursor", "User", "WebhookDelivery",
]
