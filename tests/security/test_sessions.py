"""Console sessions end: on sign-out, a new password or deactivation (every copy of the cookie), idle or old.

These tests keep no app context open between requests (unlike the `session` fixture), so that each
request loads its user afresh, as it does in production.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from accounts.users import change_password, create_user, deactivate_user
from models import User
from models.db import current_db
from models.vocab import Role
from tests.builders import make_biller
from tests.web.test_console import PASSWORD, csrf, login

START = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)  # 11:00 IST on a working Wednesday


@contextmanager
def database(app):
    """A session of our own, inside an app context that ends with it."""
    with app.app_context():
        session = current_db().new_session()
        try:
            yield session
        finally:
            session.close()


@pytest.fixture
def signed_in(app, client, time_machine):
    """Support staff signed in at START; the clock stands still until a test moves it."""
    time_machine.move_to(START, tick=False)
    with database(app) as session:
        biller = make_biller(session)
        create_user(session=session, email="desk@a.example", password=PASSWORD, role=Role.SUPPORT, biller_id=biller.id)
        session.commit()
    assert login(client, "desk@a.example").status_code == 302
    return time_machine


def _the_user(session) -> User:
    return session.exec(select(User).where(User.email == "desk@a.example")).one()


def _copy_of_cookie(client, app):
    """A second browser holding a copy of the signed-in session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _is_signed_in(client) -> bool:
    return client.get("/console/").status_code == 200


def test_a_copied_cookie_stops_working_after_sign_out(app, client, signed_in):
    thief = _copy_of_cookie(client, app)
    assert _is_signed_in(thief)
    assert client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")}).status_code == 302
    assert not _is_signed_in(client)
    assert not _is_signed_in(thief)


def test_signing_in_again_after_sign_out_works(client, signed_in):
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    assert login(client, "desk@a.example").status_code == 302
    assert _is_signed_in(client)


def test_a_password_change_ends_every_session(app, client, signed_in):
    thief = _copy_of_cookie(client, app)
    with database(app) as session:
        change_password(session=session, user=_the_user(session), password="a brand new passphrase")
        session.commit()
    assert not _is_signed_in(client)
    assert not _is_signed_in(thief)
    assert login(client, "desk@a.example", "a brand new passphrase").status_code == 302


def test_deactivation_ends_every_session(app, client, signed_in):
    with database(app) as session:
        deactivate_user(session=session, user=_the_user(session))
        session.commit()
    assert not _is_signed_in(client)
    assert login(client, "desk@a.example").status_code == 401


def test_a_session_idle_for_over_30_minutes_ends(client, signed_in):
    signed_in.move_to(START + timedelta(minutes=29), tick=False)
    assert _is_signed_in(client)
    signed_in.move_to(START + timedelta(minutes=29 + 31), tick=False)
    assert not _is_signed_in(client)


def test_a_busy_session_still_ends_after_12_hours(client, signed_in):
    moment = START
    while moment < START + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)
        signed_in.move_to(moment, tick=False)
        assert _is_signed_in(client), moment
    signed_in.move_to(START + timedelta(hours=12, minutes=1), tick=False)
    assert not _is_signed_in(client)
