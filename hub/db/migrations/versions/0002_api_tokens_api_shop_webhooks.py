"""API tokens, the built-in api shop's inbox, outgoing webhooks (endpoints, outbox, deliveries)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('last_used_at', TZ, nullable=True),
        sa.Column('revoked_at', TZ, nullable=True),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_api_token_merchant_id', 'api_token', ['merchant_id'])
    op.create_table(
        'api_shop_return',
        sa.Column('return_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('published_at', TZ, nullable=False),
        sa.Column('acknowledged_at', TZ, nullable=True),
        sa.Column('shop_return_id', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['return_id'], ['return_request.id']),
        sa.ForeignKeyConstraint(['connection_id'], ['connection.id']),
        sa.PrimaryKeyConstraint('return_id'),
    )
    op.create_index('ix_api_shop_return_new', 'api_shop_return', ['connection_id', 'acknowledged_at'])
    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=True),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('secret', sa.Text(), nullable=False),
        sa.Column('previous_secret', sa.Text(), nullable=True),
        sa.Column('previous_secret_until', TZ, nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_webhook_endpoint_merchant_id', 'webhook_endpoint', ['merchant_id'])
    op.create_table(
        'outbox_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('return_id', sa.Integer(), nullable=True),
        sa.Column('type', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('dispatched_at', TZ, nullable=True),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id']),
        sa.ForeignKeyConstraint(['return_id'], ['return_request.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id'),
    )
    op.create_index('ix_outbox_event_merchant_id', 'outbox_event', ['merchant_id'])
    op.create_index('ix_outbox_undispatched', 'outbox_event', ['dispatched_at'])
    op.create_table(
        'outbound_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', TZ, nullable=True),
        sa.Column('claimed_until', TZ, nullable=True),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('delivered_at', TZ, nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id']),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'endpoint_id', name='uq_outbound_event_endpoint'),
    )
    op.create_index('ix_outbound_delivery_event_id', 'outbound_delivery', ['event_id'])
    op.create_index('ix_outbound_delivery_endpoint_id', 'outbound_delivery', ['endpoint_id'])
    op.create_index('ix_outbound_due', 'outbound_delivery', ['status', 'next_attempt_at'])
    op.create_table(
        'delivery_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('at', TZ, nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=True),
        sa.Column('replay', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['outbound_delivery.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_delivery_attempt_delivery_id', 'delivery_attempt', ['delivery_id'])


def downgrade() -> None:
    for table in ('delivery_attempt', 'outbound_delivery', 'outbox_event', 'webhook_endpoint',
                  'api_shop_return', 'api_token'):
        op.drop_table(table)
