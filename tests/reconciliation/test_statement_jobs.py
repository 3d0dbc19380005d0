"""A long bank statement is matched by a background job: 202 and a job to follow, progress, the same report."""
# ruff: noqa: E501 - statement lines are data, one transaction a line, as wide as the banks write them

from __future__ import annotations

import io

import pytest
from sqlmodel import func, select

from accounts.audit import record_audit
from jobs.runner import JobRunner
from models import AuditEvent, OutboundMessage, Payment
from tests.builders import make_bill
from tests.reconciliation.conftest import choose_app, hdfc_statement, upload
from tests.web.test_console import csrf, login
from tests.web.test_console_admin import users  # noqa: F401 - the users fixture


@pytest.fixture
def app_overrides() -> dict:
    return {"statement_sync_max_lines": 3}  # every statement here is "long"


def long_statement(tr: str) -> str:
    return hdfc_statement(
        ("25/11/26", f"UPI-ASHA VERMA-asha.verma@okhdfcbank-HDFC0001234-432100000001-{tr}", "0000432100000001", "", "1,245.50"),
        ("25/11/26", "NEFT CR-SBIN0000123-MIRA NAIR-ELECTRICITY NOV", "SBIN326331234567", "", "999.00"),
        ("25/11/26", "UPI-SOMEONE ELSE-x@okaxis-UTIB0000001-432100000009-NA", "0000432100000009", "", "50,000.00"),
        ("25/11/26", "POS 416021XXXXXX1234 OFFICE SUPPLIES", "0000000000000000", "5,000.00", ""),
    )  # fmt: skip


def test_a_long_statement_is_matched_by_a_job_with_the_report_of_a_short_one(app, client, session, api, bills):
    statement = long_statement(choose_app(client, session, bills["asha"]))

    response = upload(client, api, statement)

    assert response.status_code == 202
    location = response.headers["Location"]
    queued = client.get(location, headers=api.headers).json
    assert (queued["kind"], queued["status"], queued["report"]) == ("statements.reconcile", "queued", None)
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    assert JobRunner(app).run(once=True) == 1

    job = client.get(location, headers=api.headers).json
    assert job["status"] == "succeeded"
    assert job["progress"]["done"] == job["progress"]["total"] == 4
    payment = session.exec(select(Payment)).one()
    asha, mira = bills["asha"].id, bills["mira"].id
    assert job["report"] == {
        "lines": [
            {"line": 8, "status": "matched", "bill_id": asha, "payment_id": payment.id},
            {"line": 9, "status": "suggested", "bill_id": mira, "payment_id": None},
            {"line": 10, "status": "unmatched", "bill_id": None, "payment_id": None},
            {"line": 11, "status": "ignored", "bill_id": None, "payment_id": None},
        ],
        "matched": 1, "suggested": 1, "unmatched": 1, "ignored": 1, "duplicate": 0,
    }  # fmt: skip
    receipt = select(func.count()).select_from(OutboundMessage).where(OutboundMessage.template_key == "receipt")
    queued_receipts = session.exec(receipt).one()
    assert queued_receipts >= 1

    again = upload(client, api, statement)
    JobRunner(app).run(once=True)

    report = client.get(again.headers["Location"], headers=api.headers).json["report"]
    assert [line["status"] for line in report["lines"]] == ["duplicate", "duplicate", "unmatched", "ignored"]
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1
    assert session.exec(receipt).one() == queued_receipts


def test_an_unreadable_long_statement_fails_with_the_422_body(app, client, api):
    statement = "Date,Narration,Amount\n" + "".join(f"25/11/26,TRANSFER {n},100.00\n" for n in range(10))
    app.extensions["settings"] = app.extensions["settings"].model_copy(update={"statement_sync_max_lines": 1000})
    synchronous = upload(client, api, statement)
    assert synchronous.status_code == 422
    app.extensions["settings"] = app.extensions["settings"].model_copy(update={"statement_sync_max_lines": 3})

    location = upload(client, api, statement).headers["Location"]
    JobRunner(app).run(once=True)

    job = client.get(location, headers=api.headers).json
    assert job["status"] == "failed"
    assert job["report"] == synchronous.json


def test_the_console_follows_a_long_statement_on_a_page_that_refreshes_until_the_report(
    app,
    client,
    session,
    api,
    bills,
    users,  # noqa: F811
):
    statement = long_statement(choose_app(client, session, bills["asha"]))
    login(client, "boss@a.example")
    form = {"csrf_token": csrf(client, "/console/reconciliation"), "file": (io.BytesIO(statement.encode()), "hdfc.csv")}

    posted = client.post("/console/reconciliation", data=form, content_type="multipart/form-data")

    assert posted.status_code == 302
    job_page = posted.headers["Location"]
    assert "/console/reconciliation/jobs/" in job_page
    waiting = client.get(job_page)
    assert waiting.headers["Refresh"] == "2"
    assert "Waiting for a worker to start matching" in waiting.get_data(as_text=True)
    JobRunner(app).run(once=True)
    done = client.get(job_page)
    assert "Refresh" not in done.headers
    html = done.get_data(as_text=True)
    assert "1 matched · 1 suggested · 1 unmatched · 1 debits ignored" in html
    assert 'id="report"' in html
    client.get("/console/logout")
    login(client, "boss@b.example")
    assert client.get(job_page).status_code == 404  # another biller's job


def test_a_statement_job_killed_midway_is_finished_by_the_next_worker_recording_each_payment_once(
    app, client, session, api
):
    from tests.jobs.test_import_under_load import finish_with_new_workers, job_row, kill_when
    from tests.jobs.test_job_processes import worker

    for n in range(60):  # 60 bills a customer told the bot they paid, with the UTR
        bill = make_bill(
            session,
            api.biller,
            reference=f"K-{n}",
            amount=10000 + n,
            customer={"reference": f"CK-{n}", "name": f"Payer {n}"},
        )
        record_audit(
            session=session, biller_id=api.biller.id, actor="customer", action="payment.claimed",
            subject_type="bill", subject_id=bill.id, detail={"utr": f"5{n:011d}"},
        )  # fmt: skip
    session.commit()
    rows = [
        ("25/11/26", f"UPI-PAYER-p@okaxis-UTIB0000001-5{n // 10:011d}-NA", f"5{n // 10:011d}", "", f"{(10000 + n // 10) / 100:.2f}")
        if n % 10 == 0
        else ("25/11/26", f"NEFT CR-UNKNOWN PAYER {n}", f"N{n:015d}", "", "12.34")
        for n in range(600)
    ]  # fmt: skip
    location = upload(client, api, hdfc_statement(*rows)).headers["Location"]
    job_id = int(location.rsplit("/", 1)[1])

    kill_when(worker(app), lambda: job_row(session, job_id).report is not None)

    kept = job_row(session, job_id).report["lines"]
    assert 0 < len(kept) < 600
    job = finish_with_new_workers(app, client, api, location)

    assert job["status"] == "succeeded", job
    report = job["report"]
    assert (report["matched"], report["unmatched"], report["duplicate"]) == (60, 540, 0)
    assert report["lines"][: len(kept)] == kept
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Payment)).one() == 60
    audits = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "statement.reconcile")
    assert session.exec(audits).one() == 1
