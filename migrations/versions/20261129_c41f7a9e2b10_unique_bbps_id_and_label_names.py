"""one biller per Bharat Connect biller id; label names unique per biller ignoring case

Revision ID: c41f7a9e2b10
Revises: 3a48ba97d3b5
Create Date: 2026-11-29 14:50:00.000000

Rows that already clash are kept, not dropped: the later billers sharing an id lose it (the earliest keeps it; the
others set theirs again in the console), and a label whose name differs from an earlier one's only in case is
renamed "<name> #<id>" so no conversation loses its label.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c41f7a9e2b10'
down_revision = '3a48ba97d3b5'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        UPDATE billers SET bbps_biller_id = NULL
        WHERE bbps_biller_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM billers AS earlier
            WHERE earlier.bbps_biller_id = billers.bbps_biller_id AND earlier.id < billers.id)
        """
    )
    op.create_index('ix_billers_bbps_biller_id', 'billers', ['bbps_biller_id'], unique=True)
    op.execute(
        """
        UPDATE labels SET name = substr(name, 1, 40 - length(' #' || id)) || ' #' || id
        WHERE EXISTS (
            SELECT 1 FROM labels AS earlier
            WHERE earlier.biller_id = labels.biller_id AND lower(earlier.name) = lower(labels.name)
              AND earlier.id < labels.id)
        """
    )
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.drop_constraint('uq_labels_biller_name', type_='unique')
    # An expression index, made outside the batch: SQLite's table copy cannot carry one.
    op.create_index('uq_labels_biller_name_lower', 'labels', ['biller_id', sa.text('lower(name)')], unique=True)


def downgrade():
    op.drop_index('uq_labels_biller_name_lower', table_name='labels')
    with op.batch_alter_table('labels', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_labels_biller_name', ['biller_id', 'name'])
    op.drop_index('ix_billers_bbps_biller_id', table_name='billers')
