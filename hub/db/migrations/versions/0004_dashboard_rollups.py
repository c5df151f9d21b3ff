"""the dashboard's rollup tables (returns per day; units per reason and item; decision latency), backfilled

Revision ID: 0004
Revises: 0003

The tables of hub/db/rollups.py, filled from the existing returns with the same grouping as
``hub.stats.rebuild`` (kept here as SQL, so this migration does not change when the code does).
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("stats_day", "stats_reason", "stats_item", "stats_latency")


def _detail_table(name: str, key: sa.Column, *values: str) -> None:
    op.create_table(
        name,
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        key,
        *(sa.Column(v, sa.Integer(), nullable=False) for v in values),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"]),
        sa.PrimaryKeyConstraint("connection_id", "span", "day", key.name),
        sqlite_with_rowid=False,
    )


def _backfill(dialect: str) -> None:
    if dialect == "postgresql":
        day = "date(timezone('UTC', r.requested_at))"
        hours = "CAST(trunc(extract(epoch FROM r.decided_at - r.created_at) / 3600) AS INTEGER)"

        def month(column):
            return f"CAST(date_trunc('month', {column}) AS DATE)"
    else:
        day = "date(r.requested_at)"
        hours = "CAST(round((julianday(r.decided_at) - julianday(r.created_at)) * 86400000.0) AS INTEGER) / 3600000"

        def month(column):
            return f"date({column}, 'start of month')"
    reason = "substr(coalesce(l.reason_text, l.reason_code, '(no reason given)'), 1, 255)"
    item = "substr(coalesce(l.sku, 'EAN ' || l.ean, ''), 1, 255)"
    lines = "return_line l JOIN return_request r ON r.id = l.return_id"
    for sql in (
        (f"INSERT INTO stats_day (connection_id, day, returns) "
         f"SELECT r.connection_id, {day}, count(*) FROM return_request r GROUP BY 1, 2"),
        (f"INSERT INTO stats_reason (connection_id, span, day, reason, units, lines) "
         f"SELECT r.connection_id, 'day', {day}, {reason}, sum(l.quantity), count(*) FROM {lines} GROUP BY 1, 3, 4"),
        (f"INSERT INTO stats_item (connection_id, span, day, item, units, lines) "
         f"SELECT r.connection_id, 'day', {day}, {item}, sum(l.quantity), count(*) FROM {lines} GROUP BY 1, 3, 4"),
        (f"INSERT INTO stats_latency (connection_id, span, day, hours, decided) "
         f"SELECT r.connection_id, 'day', {day}, {hours}, count(*) FROM return_request r "
         f"WHERE r.decided_at IS NOT NULL GROUP BY 1, 3, 4"),
    ):
        op.execute(sql)
    for table, key, values in (("stats_reason", "reason", ("units", "lines")),
                               ("stats_item", "item", ("units", "lines")), ("stats_latency", "hours", ("decided",))):
        columns = ", ".join(values)
        sums = ", ".join(f"sum({v})" for v in values)
        op.execute(f"INSERT INTO {table} (connection_id, span, day, {key}, {columns}) "
                   f"SELECT connection_id, 'month', {month('day')}, {key}, {sums} FROM {table} "
                   f"WHERE span = 'day' GROUP BY 1, 3, 4")


def upgrade() -> None:
    op.create_table(
        "stats_day",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"]),
        sa.PrimaryKeyConstraint("connection_id", "day"),
        sqlite_with_rowid=False,
    )
    _detail_table("stats_reason", sa.Column("reason", sa.String(length=255), nullable=False), "units", "lines")
    _detail_table("stats_item", sa.Column("item", sa.String(length=255), nullable=False), "units", "lines")
    _detail_table("stats_latency", sa.Column("hours", sa.Integer(), nullable=False), "decided")
    _backfill(op.get_bind().dialect.name)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
