"""A savepoint is part of its transaction on both databases: rolling the transaction back undoes what it wrote."""

from __future__ import annotations

from sqlmodel import func, select

from models import Biller, StatementLine
from models.db import current_db, utcnow


def test_rows_written_in_a_savepoint_after_reads_alone_go_when_the_transaction_rolls_back(app, session, api):
    with app.app_context():
        request_session = current_db().new_session()
        request_session.exec(select(Biller)).all()  # reads only: Python's sqlite3 has not opened a transaction
        with request_session.begin_nested():  # releasing it must not COMMIT (it did on SQLite)
            request_session.add(
                StatementLine(
                    biller_id=api.biller.id,
                    fingerprint="f" * 64,
                    txn_date=utcnow().date(),
                    narration="UPI-ASHA",
                    amount_paise=100,
                    status="unmatched",
                    created_at=utcnow(),
                )
            )
        request_session.rollback()  # the request failed later on
        request_session.close()

    session.expire_all()
    assert session.exec(select(func.count()).select_from(StatementLine)).one() == 0
