"""The biller's Bharat Connect biller id, UPI purpose code and over-payment tolerance, set in console settings."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from billing.billers import update_payment_options
from billing.upi import PURPOSE_CODES, payment_parameters
from errors import InvalidInput
from models import AuditEvent, Biller, User
from tests.builders import make_bill
from tests.web.test_console import login
from tests.web.test_console import settings_form as console_settings_form
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture


def settings_form(client, **changes) -> dict:
    """Everything the settings page sends for biller A, as it stands, with these changes."""
    unchanged = {"upi_vpa": "testpower@icici", "payment_apps": ["gpay", "phonepe"], "timezone": "Asia/Kolkata"}
    payment_options = {"bill_fetch_url": "", "bbps_biller_id": "", "upi_purpose": "", "overpayment_tolerance": "0"}
    return console_settings_form(client, **unchanged, **payment_options) | changes


def reloaded(session, api) -> Biller:
    session.expire_all()
    return session.get(Biller, api.biller.id)


def test_saved_options_reach_the_intent_and_the_audit_log(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = settings_form(client, bbps_biller_id=" asan00000wbl01 ", upi_purpose="06", overpayment_tolerance="₹25.50")
    response = client.post("/console/settings", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    biller = reloaded(session, api)
    assert (biller.bbps_biller_id, biller.upi_purpose, biller.overpayment_tolerance_paise) == (
        "ASAN00000WBL01",
        "06",
        2550,
    )
    page = client.get("/console/settings").get_data(as_text=True)
    assert 'value="ASAN00000WBL01"' in page and 'value="25.50"' in page
    assert '<option selected value="06">' in page
    bill = make_bill(session, biller)
    params = dict(
        payment_parameters(
            biller=biller, bill=bill, transaction_reference="CPX", amount_paise=1, minimum_paise=None, url="u"
        )
    )
    assert params["purpose"] == "06"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "biller.update")).one()
    assert event.detail == {
        "changed": [
            "bbps_biller_id",
            "overpayment_tolerance_paise",
            "payment_apps",
            "upi_purpose",
        ]
    }
    boss = session.exec(select(User).where(User.email == "boss@a.example")).one()
    assert (event.actor, event.biller_id, event.subject_id) == (f"user:{boss.id}", api.biller.id, api.biller.id)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("bbps_biller_id", "ASAN0000WBL01", "is not a Bharat Connect biller ID"),  # 13 characters
        ("bbps_biller_id", "ASAN-0000-WBL01", "is not a Bharat Connect biller ID"),
        ("upi_purpose", "01", "is not an NPCI purpose code for bill payments (00, 02"),  # SEBI IPOs only
        ("upi_purpose", "10", "is not an NPCI purpose code"),  # payments made through BBPS itself
        ("upi_purpose", "6", "is not an NPCI purpose code"),
        ("overpayment_tolerance", "-1", "must be from ₹0 to ₹10,000"),
        ("overpayment_tolerance", "10000.01", "must be from ₹0 to ₹10,000"),
        ("overpayment_tolerance", "ten", "must be an amount in rupees"),
        ("overpayment_tolerance", "1.005", "must be an amount in rupees"),
        ("overpayment_tolerance", "1e400", "must be an amount in rupees"),
    ],
)
@pytest.mark.usefixtures("users")
def test_bad_values_are_refused_next_to_the_field_and_nothing_is_saved(client, session, api, field, value, words):
    login(client, "boss@a.example")
    response = client.post("/console/settings", data=settings_form(client, name="Renamed Power", **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">{words}' in page
    assert f'aria-describedby="{field}-hint {field}-error"' in page
    biller = reloaded(session, api)
    assert (biller.name, biller.bbps_biller_id, biller.upi_purpose, biller.overpayment_tolerance_paise) == (
        "Asansol Power",
        None,
        None,
        0,
    )
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "biller.update")).all() == []


def test_without_the_csrf_token_nothing_changes(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    form = settings_form(client, bbps_biller_id="ASAN00000WBL01")
    del form["csrf_token"]
    assert client.post("/console/settings", data=form).status_code == 400
    assert reloaded(session, api).bbps_biller_id is None


def test_emptied_fields_are_cleared_and_fields_not_sent_are_kept(client, session, api, users):  # noqa: F811
    login(client, "boss@a.example")
    full = settings_form(client, bbps_biller_id="ASAN00000WBL01", upi_purpose="00", overpayment_tolerance="10")
    assert client.post("/console/settings", data=full).status_code == 302
    partial = {
        k: v
        for k, v in settings_form(client).items()
        if k not in {"bbps_biller_id", "upi_purpose", "overpayment_tolerance"}
    }
    assert client.post("/console/settings", data=partial).status_code == 302
    biller = reloaded(session, api)
    assert (biller.bbps_biller_id, biller.upi_purpose, biller.overpayment_tolerance_paise) == (
        "ASAN00000WBL01",
        "00",
        1000,
    )
    assert client.post("/console/settings", data=settings_form(client, overpayment_tolerance="")).status_code == 302
    biller = reloaded(session, api)
    assert (biller.bbps_biller_id, biller.upi_purpose, biller.overpayment_tolerance_paise) == (None, None, 0)


def test_support_staff_and_another_biller_cannot_set_them(client, session, api, other_api, users):  # noqa: F811
    login(client, "desk@a.example")
    assert (
        client.post("/console/settings", data=settings_form(client, bbps_biller_id="ASAN00000WBL01")).status_code == 403
    )
    login(client, "boss@b.example")
    form = settings_form(client, name="Bhopal Water", upi_vpa="bhopalwater@sbi", bbps_biller_id="BHOP00000MPW01")
    assert client.post(f"/console/settings?biller={api.biller.id}", data=form).status_code == 302
    assert reloaded(session, api).bbps_biller_id is None
    session.expire_all()
    assert session.get(Biller, other_api.biller.id).bbps_biller_id == "BHOP00000MPW01"


def test_another_billers_bharat_connect_id_is_refused_and_nothing_is_saved(client, session, api, other_api, users):  # noqa: F811
    other_api.biller.bbps_biller_id = "BHOP00000MPW01"
    session.add(other_api.biller)
    session.commit()
    login(client, "boss@a.example")
    response = client.post(
        "/console/settings", data=settings_form(client, name="Renamed Power", bbps_biller_id="bhop00000mpw01")
    )
    assert response.status_code == 422
    assert '<p class="error" id="bbps_biller_id-error">is another biller&#39;s Bharat Connect biller ID' in (
        response.get_data(as_text=True)
    )
    assert (reloaded(session, api).name, reloaded(session, api).bbps_biller_id) == ("Asansol Power", None)
    # Keeping one's own id while changing something else is no clash.
    login(client, "boss@b.example")
    form = settings_form(client, name="Bhopal Water Board", upi_vpa="bhopalwater@sbi", bbps_biller_id="BHOP00000MPW01")
    assert client.post("/console/settings", data=form).status_code == 302
    session.expire_all()
    assert session.get(Biller, other_api.biller.id).name == "Bhopal Water Board"


def test_the_same_id_claimed_by_two_billers_at_once_goes_to_one(app, session, api, other_api, users):  # noqa: F811
    """Both admins save at the same instant: one keeps the id, the other is told it is taken — never a 500.
    Each thread signs in on its own client (the test's app context would share one CSRF token)."""
    clients = {"boss@a.example": app.test_client(), "boss@b.example": app.test_client()}
    start = threading.Barrier(len(clients))

    def claim(email):
        client = clients[email]
        login(client, email)
        form = settings_form(client, bbps_biller_id="ASAN00000WBL01")
        if email == "boss@b.example":
            form |= {"name": "Bhopal Water", "upi_vpa": "bhopalwater@sbi"}
        start.wait()
        return client.post("/console/settings", data=form).status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        assert sorted(pool.map(claim, clients)) == [302, 422]
    session.expire_all()
    owners = session.exec(select(Biller.id).where(Biller.bbps_biller_id == "ASAN00000WBL01")).all()
    assert len(owners) == 1


def test_every_purpose_code_offered_is_accepted_and_none_other(session, api):
    for code in PURPOSE_CODES:
        update_payment_options(
            session=session, biller=api.biller, bbps_biller_id=None, upi_purpose=code, overpayment_tolerance_paise=0
        )
    assert set(PURPOSE_CODES) == {"00", "02", "03", "04", "05", "06", "07", "08"}
    for code in ("01", "09", "10", "11", "20", "44", "99", "0", "000"):
        with pytest.raises(InvalidInput) as refused:
            update_payment_options(
                session=session, biller=api.biller, bbps_biller_id=None, upi_purpose=code, overpayment_tolerance_paise=0
            )
        assert refused.value.field == "upi_purpose"
