"""staged imports: rows of a background import on SQLite written in batches before they are published; jobs.stage

Revision ID: 3a48ba97d3b5
Revises: b7d41e6a2c90
Create Date: 2026-11-29 11:23:07.468821
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.db


revision = '3a48ba97d3b5'
down_revision = 'b7d41e6a2c90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_staged_bills',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('customer_reference', sa.String(length=64), nullable=False),
    sa.Column('link_token', sa.String(length=32), nullable=False),
    sa.Column('link_created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('link_expires_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('biller_id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('bill_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount_paise', sa.BigInteger(), nullable=False),
    sa.Column('amount_due_paise', sa.BigInteger(), nullable=False),
    sa.Column('amount_exactness', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('min_amount_paise', sa.BigInteger(), nullable=True),
    sa.Column('max_amount_paise', sa.BigInteger(), nullable=True),
    sa.Column('early_payment_amount_paise', sa.BigInteger(), nullable=True),
    sa.Column('early_payment_date', sa.Date(), nullable=True),
    sa.Column('late_payment_amount_paise', sa.BigInteger(), nullable=True),
    sa.Column('min_partial_amount_paise', sa.BigInteger(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('cadence_id', sa.Integer(), nullable=True),
    sa.Column('next_reminder_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_step', sa.Integer(), nullable=False),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('paused_until', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fetched_at', models.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_import_staged_bills_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'seq', name=op.f('pk_import_staged_bills'))
    )
    op.create_table('import_staged_customers',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.Column('preferred_channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_import_staged_customers_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'reference', name=op.f('pk_import_staged_customers'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))



def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('stage')

    op.drop_table('import_staged_customers')
    op.drop_table('import_staged_bills')
