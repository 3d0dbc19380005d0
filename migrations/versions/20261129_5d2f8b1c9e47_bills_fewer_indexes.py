"""bills: drop ix_bills_biller_id (uq_bills_biller_reference leads with biller_id) and ix_bills_status (a few
values, every query on it also filters by biller, customer or next_reminder_at); each index costs the dunning
pass an entry per bill it moves on

Revision ID: 5d2f8b1c9e47
Revises: c41f7a9e2b10
Create Date: 2026-11-29 15:05:00.000000
"""
from alembic import op


revision = '5d2f8b1c9e47'
down_revision = 'c41f7a9e2b10'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_bills_status', table_name='bills')
    op.drop_index('ix_bills_biller_id', table_name='bills')


def downgrade():
    op.create_index('ix_bills_biller_id', 'bills', ['biller_id'], unique=False)
    op.create_index('ix_bills_status', 'bills', ['status'], unique=False)
