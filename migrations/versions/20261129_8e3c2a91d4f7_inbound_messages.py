"""inbound messages stored by the webhooks, answered by the worker

Revision ID: 8e3c2a91d4f7
Revises: a6b1c2d3e4f5
Create Date: 2026-11-29 08:45:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.db


revision = '8e3c2a91d4f7'
down_revision = 'a6b1c2d3e4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('payload', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('start_payload', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('to', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('received_at', models.db.UTCDateTime(), nullable=False),
    sa.Column('answered_at', models.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_message_id')
    )
    op.create_index('ix_inbound_messages_pending', 'inbound_messages', ['status', 'channel', 'address', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_inbound_messages_pending', table_name='inbound_messages')
    op.drop_table('inbound_messages')
