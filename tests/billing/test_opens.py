"""Link opens buffered off the request path and written in batches: every open counted, none twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from billing.bills import current_link
from billing.opens import Open, OpenRecorder
from models import LinkEvent, PaymentLink
from models.db import current_db, utcnow
from tests.builders import make_bill


def test_opens_are_written_in_one_batch_with_exact_counts(app, session, api):
    first, second = make_bill(session, api.biller), make_bill(session, api.biller)
    links = [current_link(session=session, bill_id=bill.id) for bill in (first, second)]
    with app.app_context():
        recorder = OpenRecorder(current_db(), batch_size=4, flush_every_seconds=3600)
        now = utcnow()
        for link, ms in ((links[0], 0), (links[0], 500), (links[1], 100)):
            recorder.record(Open(link_id=link.id, bill_id=link.bill_id, at=now + timedelta(milliseconds=ms)))
        session.commit()  # end the test session's read snapshot
        assert session.exec(select(LinkEvent).where(LinkEvent.kind == "opened")).all() == []  # not yet written
        recorder.record(Open(link_id=links[0].id, bill_id=links[0].bill_id, at=now + timedelta(milliseconds=200)))
        assert recorder.flush() == 0  # the fourth open filled the batch and wrote it
    session.commit()
    session.expire_all()
    counted = {link.id: (link.open_count, link.last_opened_at) for link in session.exec(select(PaymentLink)).all()}
    assert counted[links[0].id] == (3, now + timedelta(milliseconds=500))
    assert counted[links[1].id] == (1, now + timedelta(milliseconds=100))
    assert len(session.exec(select(LinkEvent).where(LinkEvent.kind == "opened")).all()) == 4


def test_a_partial_batch_is_written_on_flush(app, session, api):
    link = current_link(session=session, bill_id=make_bill(session, api.biller).id)
    with app.app_context():
        recorder = OpenRecorder(current_db(), batch_size=100, flush_every_seconds=3600)
        recorder.record(Open(link_id=link.id, bill_id=link.bill_id, at=utcnow()))
        assert recorder.flush() == 1
    session.commit()
    session.expire_all()
    assert session.get(PaymentLink, link.id).open_count == 1


def test_a_batch_a_second_old_is_written_at_the_next_open(app, session, api):
    link = current_link(session=session, bill_id=make_bill(session, api.biller).id)
    with app.app_context():
        recorder = OpenRecorder(current_db(), batch_size=100, flush_every_seconds=1)
        now = utcnow()
        recorder.record(Open(link_id=link.id, bill_id=link.bill_id, at=now))
        recorder.record(Open(link_id=link.id, bill_id=link.bill_id, at=now + timedelta(seconds=1)))
        assert recorder.flush() == 0
    session.commit()
    session.expire_all()
    assert session.get(PaymentLink, link.id).open_count == 2


def test_a_batch_whose_connection_dies_mid_write_is_kept_and_written_with_the_next(app, session, api):
    """The database drops the connection while a batch is written (a restart, a failover): the open that flushed
    it is counted as usual, nothing is lost, and the next batch writes the failed one's opens too."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL drops connections (a restart, a failover); a SQLite file has none to drop")
    link = current_link(session=session, bill_id=make_bill(session, api.biller).id)
    session.commit()
    engine = app.extensions["database"].engine
    killed: list[int] = []

    def drop_the_connection(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO LINK_EVENTS") and not killed:
            killed.append(connection.connection.dbapi_connection.info.backend_pid)
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed[0]})

    with app.app_context():
        recorder = OpenRecorder(current_db(), batch_size=2, flush_every_seconds=3600)
        now = utcnow()
        event.listen(engine, "before_cursor_execute", drop_the_connection)
        try:
            for ms in range(4):
                recorder.record(Open(link_id=link.id, bill_id=link.bill_id, at=now + timedelta(milliseconds=ms)))
        finally:
            event.remove(engine, "before_cursor_execute", drop_the_connection)
        # The first batch (two opens) failed; the third open's batch wrote it too; the fourth waits for this flush.
        assert killed and recorder.flush() == 1
    session.expire_all()
    assert session.get(PaymentLink, link.id).open_count == 4
    assert len(session.exec(select(LinkEvent).where(LinkEvent.kind == "opened")).all()) == 4
