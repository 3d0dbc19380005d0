"""A database that cannot be reached: customers get a page in their language, machine clients JSON, both a 503 with
Retry-After, and the log one warning line (errors/http.py). The outage is real: the app's own database, moved to where
nothing answers."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from sqlalchemy import make_url

from app import create_app
from billing.bills import current_link
from channels.registry import close_providers
from tests.builders import make_bill
from tests.web.test_console import login
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture

UNAVAILABLE_PAGE = {
    "en": ("Please try again in a minute", "We cannot show this page just now."),
    "hi": ("कृपया एक मिनट बाद फिर कोशिश करें", "हम अभी यह पेज नहीं दिखा पा रहे हैं।"),
    "bn": ("অনুগ্রহ করে এক মিনিট পরে আবার চেষ্টা করুন", "আমরা এই মুহূর্তে পেজটি দেখাতে পারছি না।"),
}


@pytest.fixture
def unreachable_url(app, tmp_path):
    """The test database's URL moved where nothing answers: a local port bound but not listening (PostgreSQL
    refuses the connection), a file in a folder that does not exist (SQLite cannot open it)."""
    url = make_url(app.extensions["settings"].database_url)
    if url.get_backend_name() == "sqlite":
        yield url.set(database=str(Path(tmp_path) / "missing" / "test.db")).render_as_string(hide_password=False)
        return
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # held, never listening: no one else can start listening there meanwhile
        yield url.set(host="127.0.0.1", port=closed.getsockname()[1]).render_as_string(hide_password=False)


@pytest.fixture
def unreachable(app, unreachable_url):
    """The same app (settings, secret key) on a database that cannot be reached."""
    settings = app.extensions["settings"].model_copy(update={"database_url": unreachable_url})
    outage = create_app(settings)
    yield outage
    close_providers(outage)
    outage.extensions["database"].dispose()


@pytest.fixture
def token(session, api) -> str:
    bill = make_bill(session, api.biller, reference="ELEC-1001")
    return current_link(session=session, bill_id=bill.id).token


@pytest.mark.parametrize("language", UNAVAILABLE_PAGE)
def test_a_payment_link_answers_a_503_page_in_the_customers_language(unreachable, token, language):
    response = unreachable.test_client().get(f"/p/{token}", headers={"Accept-Language": language})

    assert (response.status_code, response.headers["Retry-After"], response.mimetype) == (503, "30", "text/html")
    html = response.get_data(as_text=True)
    title, text = UNAVAILABLE_PAGE[language]
    assert f'<html lang="{language}">' in html and f"<h1>{title}</h1>" in html and text in html
    assert "<style>" in html  # the customer pages' own look, not a bare server error


def test_a_receipt_answers_the_same_page(unreachable, token):
    response = unreachable.test_client().get(f"/p/{token}/receipt?lang=hi")
    assert (response.status_code, response.headers["Retry-After"]) == (503, "30")
    assert UNAVAILABLE_PAGE["hi"][0] in response.get_data(as_text=True)


def test_the_api_answers_503_json(unreachable, session, api):
    bill = make_bill(session, api.biller)

    response = unreachable.test_client().get(f"/api/v1/bills/{bill.id}", headers=api.headers)

    assert (response.status_code, response.headers["Retry-After"]) == (503, "30")
    assert response.json == {
        "error": {
            "code": "service_unavailable",
            "message": "The database cannot be reached just now. Try again in a minute.",
            "field": None,
        }
    }


def test_a_signed_in_console_page_answers_503_not_500(client, unreachable, users):  # noqa: F811
    login(client, "boss@a.example")
    staff = unreachable.test_client()
    staff.set_cookie("session", client.get_cookie("session").value)

    response = staff.get("/console/bills")

    assert (response.status_code, response.headers["Retry-After"]) == (503, "30")


def test_the_outage_is_one_warning_line_without_a_stack_trace_or_the_link(unreachable, token, caplog):
    with caplog.at_level(logging.INFO):
        unreachable.test_client().get(f"/p/{token}")

    logged = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(record.levelname, record.exc_info) for record in logged] == [("WARNING", None)]
    line = logged[0].getMessage()
    assert line.startswith("database unavailable, answered 503: GET pay.payment_page: ")
    assert token not in line and "ELEC-1001" not in line and "Asha" not in line


def test_the_health_check_answers_503_with_one_warning_line(unreachable, caplog):
    with caplog.at_level(logging.INFO):
        response = unreachable.test_client().get("/healthz")

    assert (response.status_code, response.get_json()) == (503, {"status": "unavailable", "database": "unreachable"})
    logged = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(record.levelname, record.exc_info) for record in logged] == [("WARNING", None)]
    assert logged[0].getMessage().startswith("health check failed: ")
