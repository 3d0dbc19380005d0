"""a biller's state for its holidays; support's canned replies and conversation labels

Revision ID: b7d41e6a2c90
Revises: 8e3c2a91d4f7
Create Date: 2026-11-29 11:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.db


revision = 'b7d41e6a2c90'
down_revision = '8e3c2a91d4f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holiday_state', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True))
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('biller_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', models.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['biller_id'], ['billers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('biller_id', 'language', 'title', name='uq_canned_replies_title')
    )
    op.create_index(op.f('ix_canned_replies_biller_id'), 'canned_replies', ['biller_id'], unique=False)
    op.create_table('labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('biller_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['biller_id'], ['billers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('biller_id', 'name', name='uq_labels_biller_name')
    )
    op.create_index(op.f('ix_labels_biller_id'), 'labels', ['biller_id'], unique=False)
    op.create_table('conversation_labels',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['labels.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'label_id')
    )
    op.create_index(op.f('ix_conversation_labels_label_id'), 'conversation_labels', ['label_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_conversation_labels_label_id'), table_name='conversation_labels')
    op.drop_table('conversation_labels')
    op.drop_index(op.f('ix_labels_biller_id'), table_name='labels')
    op.drop_table('labels')
    op.drop_index(op.f('ix_canned_replies_biller_id'), table_name='canned_replies')
    op.drop_table('canned_replies')
    with op.batch_alter_table('billers', schema=None) as batch_op:
        batch_op.drop_column('holiday_state')
