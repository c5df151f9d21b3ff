"""an index on a return's state and connection, for the reconciler

Revision ID: 0010
Revises: 0009

The reconciler asks once per job which connections have due returns in the job's states
(``SELECT DISTINCT connection_id ... WHERE state IN (...)``). ``ix_return_due`` leads with the
connection, so without this index that query reads every return; with it, only those in the states.
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_return_state_connection", "return_request", ["state", "connection_id"])


def downgrade() -> None:
    op.drop_index("ix_return_state_connection", table_name="return_request")
