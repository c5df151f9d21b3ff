"""an index on return_line.sku

Revision ID: 0008
Revises: 0007

The dashboard's "Most returned SKUs" names each item by its latest title: a lookup of ten SKUs (EANs
have their index since 0001) that must not scan every return line.
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_return_line_sku", "return_line", ["sku"])


def downgrade() -> None:
    op.drop_index("ix_return_line_sku", table_name="return_line")
