"""when a return's personal data was anonymised (retention or a customer's erasure request)

Revision ID: 0006
Revises: 0005

``return_request.anonymised_at`` marks returns whose customer, addresses, comments and raw payloads
were removed; the retention job skips them, and the index lets it find the closed returns still due.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_request") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_return_retention", "return_request", ["anonymised_at", "state", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_return_retention", table_name="return_request")
    with op.batch_alter_table("return_request") as batch:
        batch.drop_column("anonymised_at")
