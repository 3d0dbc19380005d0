"""encrypted biller secrets and once-only failure notices

Biller secrets become Fernet tokens (TEXT): the bill-fetch secret stored in plain text so far is encrypted
with the newest SECRETS_ENCRYPTION_KEYS key, and each biller may have its own payment-webhook secret.
Payment-failure notices keep their UTR so a replayed notice is recorded once.

Revision ID: 5076caecec75
Revises: e0073fa2df86
Create Date: 2026-11-29 05:05:09.328847
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from flask import current_app

revision = "5076caecec75"
down_revision = "e0073fa2df86"
branch_labels = None
depends_on = None

billers = sa.table("billers", sa.column("id", sa.Integer), sa.column("bill_fetch_secret", sa.Text))


def upgrade():
    with op.batch_alter_table("billers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_webhook_secret", sa.Text(), nullable=True))
        batch_op.alter_column(
            "bill_fetch_secret", existing_type=sa.VARCHAR(length=200), type_=sa.Text(), existing_nullable=True
        )

    with op.batch_alter_table("link_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_link_events_failure_notice", ["bill_id", "kind", "payment_reference"])

    _convert_fetch_secrets(encrypting=True)


def downgrade():
    _convert_fetch_secrets(encrypting=False)
    with op.batch_alter_table("link_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_link_events_failure_notice", type_="unique")
        batch_op.drop_column("payment_reference")

    with op.batch_alter_table("billers", schema=None) as batch_op:
        batch_op.alter_column(
            "bill_fetch_secret", existing_type=sa.Text(), type_=sa.VARCHAR(length=200), existing_nullable=True
        )
        batch_op.drop_column("payment_webhook_secret")


def _convert_fetch_secrets(*, encrypting: bool) -> None:
    """Encrypt plain-text bill-fetch secrets (upgrade) or decrypt them again (downgrade)."""
    box = current_app.extensions["secret_box"]
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(billers.c.id, billers.c.bill_fetch_secret).where(billers.c.bill_fetch_secret.is_not(None))
    )
    for biller_id, value in rows.all():
        if encrypting == box.is_token(value):
            continue
        converted = box.encrypt(value) if encrypting else box.decrypt(value)
        connection.execute(sa.update(billers).where(billers.c.id == biller_id).values(bill_fetch_secret=converted))
