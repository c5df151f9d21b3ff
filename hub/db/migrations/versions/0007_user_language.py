"""the web app's language per user

Revision ID: 0007
Revises: 0006

``user_account.language`` is the language the user chose (en, nl, fr, de); empty means the
browser's Accept-Language decides.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("language")
