"""the returns' lower-cased customer name and the index the overview's search reads, backfilled

Revision ID: 0005
Revises: 0004

``return_request.search_name`` is the customer's name lower-cased by Python (``str.lower``, the same
folding the search gives the typed text, on every database) and cut to 255 characters, as
``hub.db.models.search_name_of`` writes it with each new return (repeated here, so this migration
does not change when the code does). ``ix_return_search`` holds every column the search within ids
and names reads, so the search scans the merchant's part of that index instead of their rows.

The backfill writes every return (1M: 5 s on SQLite, 40 s on PostgreSQL, the table locked meanwhile).
On PostgreSQL the search reads the index alone again once (auto)vacuum has been through the table:
run ``VACUUM ANALYZE return_request`` after upgrading a large database where autovacuum is off.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LENGTH = 255
BATCH = 10_000
INDEX_COLUMNS = ["connection_id", "search_name", "marketplace_order_id", "external_id", "shop_order_id", "id"]


def _fold(name):
    return name.lower()[:LENGTH] if isinstance(name, str) and name else None


def _backfill(bind) -> None:
    if bind.dialect.name == "sqlite":
        # one statement, the folding done by Python inside SQLite (its own lower() knows only ASCII)
        bind.connection.driver_connection.create_function("returnhub_fold_0005", 1, _fold, deterministic=True)
        op.execute("UPDATE return_request SET search_name = returnhub_fold_0005(json_extract(customer, '$.name')) "
                   "WHERE json_extract(customer, '$.name') IS NOT NULL")
        return
    returns = sa.table("return_request", sa.column("id", sa.Integer()), sa.column("customer", sa.JSON()),
                       sa.column("search_name", sa.String()))
    update = (returns.update().where(returns.c.id == sa.bindparam("_id"))
              .values(search_name=sa.bindparam("_name")))
    last = 0
    while True:
        rows = bind.execute(sa.select(returns.c.id, returns.c.customer).where(returns.c.id > last)
                            .order_by(returns.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        names = [{"_id": row.id, "_name": _fold(row.customer.get("name"))} for row in rows
                 if isinstance(row.customer, dict) and _fold(row.customer.get("name"))]
        if names:
            bind.execute(update, names)


def _analyze(bind) -> None:
    """Statistics for the new index. SQLite: only where the other indexes have some (ANALYZE ran
    before), else its planner would take this index for every query of a connection's returns, or
    (statistics for this index alone) never for the search."""
    if bind.dialect.name == "sqlite":
        if bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            op.execute("ANALYZE ix_return_search")
    elif bind.dialect.name == "postgresql":
        op.execute("ANALYZE return_request")


def upgrade() -> None:
    op.add_column("return_request", sa.Column("search_name", sa.String(length=LENGTH), nullable=True))
    bind = op.get_bind()
    _backfill(bind)
    op.create_index("ix_return_search", "return_request", INDEX_COLUMNS)
    _analyze(bind)


def downgrade() -> None:
    op.drop_index("ix_return_search", table_name="return_request")
    with op.batch_alter_table("return_request") as batch:
        batch.drop_column("search_name")
