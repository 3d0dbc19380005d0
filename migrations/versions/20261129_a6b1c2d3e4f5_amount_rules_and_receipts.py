"""amount rules: minimum part payment, over-payment tolerance, BBPS biller id, UPI purpose

Revision ID: a6b1c2d3e4f5
Revises: 86aa3d71eb11
Create Date: 2026-11-29 08:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "a6b1c2d3e4f5"
down_revision = "86aa3d71eb11"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_partial_amount_paise", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("billers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bbps_biller_id", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("upi_purpose", sa.String(length=2), nullable=True))
        batch_op.add_column(
            sa.Column("overpayment_tolerance_paise", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("billers", schema=None) as batch_op:
        batch_op.drop_column("overpayment_tolerance_paise")
        batch_op.drop_column("upi_purpose")
        batch_op.drop_column("bbps_biller_id")
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_column("min_partial_amount_paise")
