"""indexes for the overview's date filters, the dashboard and the API's modified_after

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_request") as batch:
        batch.create_index("ix_return_connection_requested", ["connection_id", "requested_at"])
        batch.create_index("ix_return_connection_updated", ["connection_id", "updated_at"])


def downgrade() -> None:
    with op.batch_alter_table("return_request") as batch:
        batch.drop_index("ix_return_connection_updated")
        batch.drop_index("ix_return_connection_requested")
