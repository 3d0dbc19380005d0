"""Existing conversations, keyed by phone alone before, are given to the right biller by the migration."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text
from sqlmodel import Session

from app import create_app
from models import Biller, Customer
from tests.models.test_migrations import empty_database_url  # noqa: F401 - the fixture

BEFORE = "db28f5709e0d"  # the revision before conversations had a biller


def test_existing_threads_go_to_their_billers_and_mixed_ones_to_no_biller(empty_database_url):  # noqa: F811
    app = create_app({"app_env": "test", "database_url": empty_database_url})
    engine = app.extensions["database"].engine
    with app.app_context():
        upgrade(revision=BEFORE)
        with Session(engine) as session:
            a, b = (
                Biller(name="A", upi_vpa="a@icici", payee_name="A"),
                Biller(name="B", upi_vpa="b@sbi", payee_name="B"),
            )
            session.add_all([a, b])
            session.flush()
            shared_a = Customer(biller_id=a.id, reference="A1", name="Asha", phone="+919810000050")
            shared_b = Customer(biller_id=b.id, reference="B1", name="Ravi", phone="+919810000050")
            alone = Customer(biller_id=b.id, reference="B2", name="Mina", phone="+919810000051")
            session.add_all([shared_a, shared_b, alone])
            session.commit()
            ids = {"shared": shared_a.id, "alone": alone.id, "b": b.id}
        with engine.begin() as connection:
            for customer_id, address in ((ids["shared"], "+919810000050"), (ids["alone"], "+919810000051")):
                connection.execute(
                    text(
                        "INSERT INTO conversations (customer_id, channel, address, state, needs_attention, "
                        "created_at, updated_at) VALUES (:customer, 'sms', :address, 'idle', 'handover', "
                        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"customer": customer_id, "address": address},
                )
        upgrade()
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT address, biller_id, customer_id, needs_attention FROM conversations ORDER BY address")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("+919810000050", None, None, None),  # may hold both billers' bills: no biller's any more
        ("+919810000051", ids["b"], ids["alone"], "handover"),
    ]
