"""A large console upload runs as a job: its page refreshes with the progress, then shows the same report."""

from __future__ import annotations

import io

import pytest

from accounts.users import create_user
from jobs.runner import JobRunner
from models.vocab import Role
from tests.jobs.conftest import import_csv
from tests.web.test_console import PASSWORD, csrf, login

pytestmark = pytest.mark.usefixtures("users")


@pytest.fixture
def users(session, api, other_api):
    """Biller admins of A and B."""
    for email, biller in (("boss@a.example", api.biller.id), ("boss@b.example", other_api.biller.id)):
        create_user(session=session, email=email, password=PASSWORD, role=Role.BILLER_ADMIN, biller_id=biller)
    session.commit()


@pytest.fixture
def app_overrides() -> dict:
    return {"bulk_sync_max_rows": 5}


def upload(client, data: bytes, partial: str = "no"):
    return client.post(
        "/console/bills/import",
        data={
            "csrf_token": csrf(client, "/console/bills/import"),
            "file": (io.BytesIO(data), "bills.csv"),
            "partial": partial,
        },
        content_type="multipart/form-data",
    )


def test_large_upload_shows_progress_then_the_line_by_line_report(app, client):
    login(client, "boss@a.example")
    response = upload(client, import_csv(12, bad_lines=(4,)), partial="yes")
    assert response.status_code == 302
    job_page = response.headers["Location"]

    waiting = client.get(job_page)
    assert waiting.status_code == 200
    assert waiting.headers["Refresh"] == "2"
    assert "Waiting for a worker" in waiting.get_data(as_text=True)
    strict = client.get("/console/bills/import").headers["Content-Security-Policy"]
    assert waiting.headers["Content-Security-Policy"] == strict

    JobRunner(app).run(once=True)

    done = client.get(job_page)
    html = done.get_data(as_text=True)
    assert "Refresh" not in done.headers
    assert "Imported 11 of 12; 1 row(s) refused" in html
    assert "line 6" in html and "customer_phone" in html


def test_another_billers_admin_cannot_open_the_upload_page(app, client):
    login(client, "boss@a.example")
    job_page = upload(client, import_csv(12)).headers["Location"]
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/bills/import")})

    login(client, "boss@b.example")
    assert client.get(job_page).status_code == 404


def test_small_upload_still_reports_at_once(client):
    login(client, "boss@a.example")
    html = upload(client, import_csv(3)).get_data(as_text=True)
    assert "Imported 3 bill(s)" in html
