"""The console's lists and admin habits: bills with filters and a streamed CSV, customers before searching,
users deactivated or given a temporary password, the audit log naming people, contact-day settings, error
pages, the inbox's assignment filters and an admin's biller switcher."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from accounts.users import create_user
from models import AuditEvent, Biller, Conversation, User
from models.vocab import Role
from tests.builders import make_bill
from tests.web.test_console import PASSWORD, csrf, login, settings_form
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture


@pytest.fixture
def bills(session, api, other_api, users):  # noqa: F811
    """Three bills of biller A (one overdue, one paid-looking by status filter) and one of biller B."""
    made = [
        make_bill(
            session,
            api.biller,
            reference="A-OLD",
            due_date="2026-11-01",
            customer={"reference": "C1", "name": "Old Debtor"},
        ),
        make_bill(
            session,
            api.biller,
            reference="A-NEW",
            due_date="2026-12-20",
            customer={"reference": "C2", "name": "=Formula Name"},
        ),
        make_bill(
            session,
            api.biller,
            reference="A-MID",
            due_date="2026-12-05",
            customer={"reference": "C3", "name": "Mid Person"},
        ),
    ]
    make_bill(session, other_api.biller, reference="B-ONLY", customer={"reference": "X1", "name": "Other Biller"})
    return made


def test_bills_list_filters_searches_and_never_shows_another_biller(client, bills):
    login(client, "boss@a.example")
    html = client.get("/console/bills").get_data(as_text=True)
    assert all(ref in html for ref in ("A-OLD", "A-NEW", "A-MID")) and "B-ONLY" not in html
    overdue = client.get("/console/bills", query_string={"overdue": "1"}).get_data(as_text=True)
    assert "A-OLD" in overdue and "A-NEW" not in overdue and "days overdue" in overdue
    window = client.get("/console/bills", query_string={"due_from": "2026-12-01", "due_to": "2026-12-10"})
    assert "A-MID" in window.get_data(as_text=True) and "A-NEW" not in window.get_data(as_text=True)
    found = client.get("/console/bills", query_string={"q": "Old Deb"}).get_data(as_text=True)
    assert "A-OLD" in found and "A-MID" not in found
    other = client.get("/console/bills", query_string={"q": "B-ONLY"}).get_data(as_text=True)
    assert "No bills match." in other and "<td>B-ONLY</td>" not in other
    bad = client.get("/console/bills", query_string={"due_from": "soon"})
    assert bad.status_code == 422 and "due from must look like 2026-12-10" in bad.get_data(as_text=True)


def test_bills_export_streams_every_match_as_safe_csv(client, bills):
    login(client, "boss@a.example")
    response = client.get("/console/bills.csv", query_string={"due_from": "2026-12-01"})
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["reference"] for row in rows] == ["A-NEW", "A-MID"]
    assert rows[0]["customer_name"] == "'=Formula Name"  # a spreadsheet will not run it


def test_customers_are_listed_before_any_search(client, bills):
    login(client, "desk@a.example")
    html = client.get("/console/customers").get_data(as_text=True)
    assert "Old Debtor" in html and "Mid Person" in html and "Other Biller" not in html


def test_biller_admin_deactivates_and_resets_a_users_password(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    desk = session.exec(select(User).where(User.email == "desk@a.example")).one()
    token = csrf(client, "/console/users")
    short = client.post(f"/console/users/{desk.id}/password", data={"csrf_token": token, "password": "short"})
    assert short.status_code == 302
    assert "at least 10 characters" in client.get("/console/users").get_data(as_text=True)
    client.post(f"/console/users/{desk.id}/password", data={"csrf_token": token, "password": "a new temporary pw"})
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console/")})
    assert login(client, "desk@a.example", "a new temporary pw").status_code == 302
    login(client, "boss@a.example")
    client.post(f"/console/users/{desk.id}/deactivate", data={"csrf_token": csrf(client, "/console/users")})
    session.expire_all()
    assert session.get(User, desk.id).is_active is False
    assert login(client, "desk@a.example", "a new temporary pw").status_code == 401
    boss = session.exec(select(User).where(User.email == "boss@a.example")).one()
    login(client, "boss@a.example")
    client.post(f"/console/users/{boss.id}/deactivate", data={"csrf_token": csrf(client, "/console/users")})
    session.expire_all()
    assert session.get(User, boss.id).is_active  # not yourself
    other = session.exec(select(User).where(User.email == "boss@b.example")).one()
    response = client.post(f"/console/users/{other.id}/deactivate", data={"csrf_token": csrf(client, "/console/users")})
    assert response.status_code == 404


def test_audit_log_names_people_and_failed_sign_ins(client, session, api, users):  # noqa: F811
    login(client, "desk@a.example", "not the password")
    login(client, "boss@a.example")
    client.post("/console/api-keys", data={"csrf_token": csrf(client, "/console/api-keys"), "name": "erp"})
    html = client.get("/console/audit").get_data(as_text=True)
    assert "<td>boss@a.example</td><td>api_key.create</td>" in html
    assert "user.login_failed" in html and "user:" not in html
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.login_failed")).one().detail is None


def test_contact_days_and_time_zone_are_settings(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = settings_form(
        client, contact_hours_end="18:00", skip_sundays="y", skip_public_holidays="y", timezone="Asia/Dubai"
    )
    assert client.post("/console/settings", data=form).status_code == 302
    session.expire_all()
    biller = session.get(Biller, api.biller.id)
    assert (biller.skip_sundays, biller.skip_public_holidays, biller.timezone) == (True, True, "Asia/Dubai")
    bad = client.post(
        "/console/settings", data={**form, "csrf_token": csrf(client, "/console/settings"), "payment_apps": []}
    )
    assert bad.status_code == 422 and "payment apps: must name at least one known payment app" in bad.get_data(
        as_text=True
    )


def test_the_state_whose_holidays_count_is_a_select_of_named_states(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    html = client.get("/console/settings").get_data(as_text=True)
    assert '<option value="WB">West Bengal</option>' in html and '<option value="MH">Maharashtra</option>' in html
    form = settings_form(client, contact_hours_end="18:00", skip_public_holidays="y", holiday_state="WB")
    assert client.post("/console/settings", data=form).status_code == 302
    session.expire_all()
    assert session.get(Biller, api.biller.id).holiday_state == "WB"
    assert '<option selected value="WB">' in client.get("/console/settings").get_data(as_text=True)
    unsent = {key: value for key, value in form.items() if key != "holiday_state"}
    unsent["csrf_token"] = csrf(client, "/console/settings")
    assert client.post("/console/settings", data=unsent).status_code == 302  # a client that does not send it keeps it
    session.expire_all()
    assert session.get(Biller, api.biller.id).holiday_state == "WB"
    bad = client.post(
        "/console/settings", data={**form, "csrf_token": csrf(client, "/console/settings"), "holiday_state": "ZZ"}
    )
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(Biller, api.biller.id).holiday_state == "WB"


def test_console_and_root_errors_are_html_pages_of_their_own(client, users):  # noqa: F811
    root = client.get("/")
    assert root.status_code == 404 and "Staff: sign in to the console" in root.get_data(as_text=True)
    login(client, "desk@a.example")
    forbidden = client.get("/console/dashboard")
    assert forbidden.status_code == 403 and "Not for your role" in forbidden.get_data(as_text=True)
    missing = client.get("/console/nowhere")
    assert missing.status_code == 404 and 'id="error-page"' in missing.get_data(as_text=True)
    assert client.get("/api/v1/nowhere").is_json  # the API keeps its JSON errors


def test_inbox_filters_mine_and_unassigned(client, session, api, users):  # noqa: F811
    desk = session.exec(select(User).where(User.email == "desk@a.example")).one()
    first = make_bill(session, api.biller, customer={"reference": "I1", "name": "Taken Case", "phone": "+919810000081"})
    second = make_bill(session, api.biller, customer={"reference": "I2", "name": "Open Case", "phone": "+919810000082"})
    for bill, assignee in ((first, desk.id), (second, None)):
        session.add(
            Conversation(
                biller_id=bill.biller_id,
                customer_id=bill.customer_id,
                channel="sms",
                address="+91981000008" + ("1" if bill is first else "2"),
                needs_attention="handover",
                assigned_user_id=assignee,
            )
        )
    session.commit()
    login(client, "desk@a.example")
    mine = client.get("/console/", query_string={"show": "mine"}).get_data(as_text=True)
    assert "Taken Case" in mine and "Open Case" not in mine
    unassigned = client.get("/console/", query_string={"show": "unassigned"}).get_data(as_text=True)
    assert "Open Case" in unassigned and "Taken Case" not in unassigned


def test_admin_chooses_a_biller_once_and_every_admin_page_follows(client, session, api, other_api):
    create_user(session=session, email="root@example.com", password=PASSWORD, role=Role.ADMIN, biller_id=None)
    session.commit()
    login(client, "root@example.com")
    first = client.get("/console/cadences")
    assert first.status_code == 302 and "/console/billers" in first.headers["Location"]
    client.post(
        "/console/billers",
        data={"csrf_token": csrf(client, "/console/billers"), "biller": other_api.biller.id, "next": "/console/audit"},
    )
    for page in ("/console/dashboard", "/console/bills", "/console/settings", "/console/users"):
        html = client.get(page).get_data(as_text=True)
        assert "Bhopal Water" in html, page
    assert "Asansol Power" in client.get("/console/dashboard", query_string={"biller": api.biller.id}).get_data(
        as_text=True
    )
