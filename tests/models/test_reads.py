"""Database.read raises what SQLAlchemy raises, though its statements run on the driver's connection."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from models import Bill
from models.db import Database


def test_a_database_that_cannot_be_opened_fails_the_read_as_sqlalchemy_does(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'no-such-directory' / 'clickpay.db'}")
    with pytest.raises(OperationalError):
        database.read(lambda reads: None)
    database.dispose()


def test_a_failing_statement_fails_the_read_as_sqlalchemy_does(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(OperationalError, match="no such table") as failure:
        database.read(lambda reads: reads.all(select(Bill.id)))
    assert not failure.value.connection_invalidated
    database.dispose()
