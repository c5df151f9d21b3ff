"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:56:42.461228
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merchant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('connection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('marketplace', sa.String(length=64), nullable=False),
    sa.Column('marketplace_settings', sa.JSON(), nullable=False),
    sa.Column('shop', sa.String(length=64), nullable=False),
    sa.Column('shop_settings', sa.JSON(), nullable=False),
    sa.Column('returns_enabled', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('webhook_token', sa.String(length=64), nullable=True),
    sa.Column('last_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_decision_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('webhook_token')
    )
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connection_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('quarantined_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quarantined_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantined_item_connection_id'), ['connection_id'], unique=False)

    op.create_table('return_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('marketplace_order_id', sa.String(length=128), nullable=False),
    sa.Column('shop_order_id', sa.String(length=128), nullable=True),
    sa.Column('shop_return_id', sa.String(length=255), nullable=True),
    sa.Column('fulfilment', sa.String(length=32), nullable=False),
    sa.Column('fulfilment_method', sa.String(length=32), nullable=True),
    sa.Column('customer', sa.JSON(), nullable=True),
    sa.Column('invoice_address', sa.JSON(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('is_test', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('attention_reason', sa.Text(), nullable=True),
    sa.Column('resume_state', sa.String(length=32), nullable=True),
    sa.Column('claim_token', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('connection_id', 'external_id', name='uq_return_connection_external')
    )
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.create_index('ix_return_due', ['connection_id', 'state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_request_connection_id'), ['connection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_request_marketplace_order_id'), ['marketplace_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_request_shop_return_id'), ['shop_return_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_request_updated_at'), ['updated_at'], unique=False)

    op.create_table('sync_cursor',
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], ),
    sa.PrimaryKeyConstraint('connection_id', 'name')
    )
    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.String(length=255), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('connection_id', 'delivery_id', name='uq_webhook_delivery')
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_delivery_connection_id'), ['connection_id'], unique=False)

    op.create_table('return_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('return_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_event_return_id'), ['return_id'], unique=False)

    op.create_table('return_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('external_line_id', sa.String(length=128), nullable=False),
    sa.Column('sku', sa.String(length=128), nullable=True),
    sa.Column('ean', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reason_code', sa.String(length=128), nullable=True),
    sa.Column('reason_text', sa.Text(), nullable=True),
    sa.Column('customer_comment', sa.Text(), nullable=True),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=True),
    sa.Column('decision_quantity', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decision_raw', sa.String(length=128), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['return_request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('return_id', 'external_line_id', name='uq_line_return_external')
    )
    with op.batch_alter_table('return_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_line_ean'), ['ean'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_line_return_id'), ['return_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('return_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_line_return_id'))
        batch_op.drop_index(batch_op.f('ix_return_line_ean'))

    op.drop_table('return_line')
    with op.batch_alter_table('return_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_event_return_id'))

    op.drop_table('return_event')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_connection_id'))

    op.drop_table('webhook_delivery')
    op.drop_table('sync_cursor')
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_request_updated_at'))
        batch_op.drop_index(batch_op.f('ix_return_request_shop_return_id'))
        batch_op.drop_index(batch_op.f('ix_return_request_marketplace_order_id'))
        batch_op.drop_index(batch_op.f('ix_return_request_connection_id'))
        batch_op.drop_index('ix_return_due')

    op.drop_table('return_request')
    with op.batch_alter_table('quarantined_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_item_connection_id'))

    op.drop_table('quarantined_item')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_merchant_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connection_merchant_id'))

    op.drop_table('connection')
    op.drop_table('merchant')
