"""the reason rollup keyed by reason code too, rebuilt

Revision ID: 0011
Revises: 0010

``stats_reason`` counted a line under its reason text, else its code; the dashboard then mapped that
one value to a canonical reason, while the overview maps the line by code and text (a bol code whose
meaning depends on its text, a text the plugin does not map beside a code it does). The table is
rebuilt with the reason code beside the reason, from the return lines, so both map a line the same way
(the grouping of ``hub.stats.rebuild``, kept here as SQL so this migration does not change with the code).
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

REASON = "substr(coalesce(l.reason_text, l.reason_code, '(no reason given)'), 1, 255)"


def _create(with_code: bool) -> None:
    keys = ["reason", "reason_code"] if with_code else ["reason"]
    op.create_table(
        "stats_reason",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(key, sa.String(length=255), nullable=False) for key in keys),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"]),
        sa.PrimaryKeyConstraint("connection_id", "span", "day", *keys),
        sqlite_with_rowid=False,
    )


def _fill(with_code: bool) -> None:
    """Daily rows from the lines, then monthly rows from the daily ones."""
    if op.get_bind().dialect.name == "postgresql":
        day, month = "date(timezone('UTC', r.requested_at))", "CAST(date_trunc('month', day) AS DATE)"
    else:
        day, month = "date(r.requested_at)", "date(day, 'start of month')"
    keys, code = ("reason, reason_code", ", substr(coalesce(l.reason_code, ''), 1, 255)") if with_code else ("reason", "")
    groups = "1, 3, 4, 5" if with_code else "1, 3, 4"
    op.execute(f"INSERT INTO stats_reason (connection_id, span, day, {keys}, units, lines) "
               f"SELECT r.connection_id, 'day', {day}, {REASON}{code}, sum(l.quantity), count(*) "
               f"FROM return_line l JOIN return_request r ON r.id = l.return_id GROUP BY {groups}")
    op.execute(f"INSERT INTO stats_reason (connection_id, span, day, {keys}, units, lines) "
               f"SELECT connection_id, 'month', {month}, {keys}, sum(units), sum(lines) FROM stats_reason "
               f"WHERE span = 'day' GROUP BY {groups}")


def upgrade() -> None:
    op.drop_table("stats_reason")
    _create(with_code=True)
    _fill(with_code=True)


def downgrade() -> None:
    op.drop_table("stats_reason")
    _create(with_code=False)
    _fill(with_code=False)
