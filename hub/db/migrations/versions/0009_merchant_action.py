"""a return's merchant action

Revision ID: 0009
Revises: 0008

``return_request.merchant_action`` says what the merchant must do outside Returnhub for the return
(an OTTO misdirected parcel to have forwarded, ...); the overview's "Requires action" filter reads it.
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_request") as batch:
        batch.add_column(sa.Column("merchant_action", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("return_request") as batch:
        batch.drop_column("merchant_action")
