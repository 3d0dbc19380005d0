"""The reconciliation page in a real browser: upload a bank statement, confirm one suggestion, reject another."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts.users import create_user
from models import Bill, Payment
from models.vocab import Role
from tests.browser.conftest import screenshot, sign_in
from tests.builders import make_bill
from tests.reconciliation.conftest import sbi_statement

pytestmark = pytest.mark.browser


def test_biller_admin_confirms_a_suggested_match_and_rejects_another(browser, live_server, session, api, tmp_path):
    create_user(
        session=session, email="boss@a.example", password="correct horse battery", role=Role.BILLER_ADMIN,
        biller_id=api.biller.id,
    )  # fmt: skip
    dev = make_bill(
        session, api.biller, reference="ELEC-4", amount=99900, customer={"reference": "C-DEV", "name": "Dev Anand"}
    )
    ravi = make_bill(
        session, api.biller, reference="ELEC-2", amount=37725, customer={"reference": "C-RAVI", "name": "Ravi Kumar"}
    )
    statement = tmp_path / "sbi-november.csv"
    statement.write_text(
        sbi_statement(
            ("25 Nov 2026", "BY TRANSFER-NEFT*HDFC0000001*N329261234567*D ANAND--", "TRANSFER FROM 4897691162093",
             "", "999.00"),
            ("25 Nov 2026", "BY TRANSFER-UPI/CR/432100000077/R K/SBIN/rk@oksbi/NA", "TRANSFER FROM 4897691162094",
             "", "377.25"),
        )
    )  # fmt: skip
    context = browser.new_context(**browser.devices["Desktop Chrome"])
    page = context.new_page()
    sign_in(page, live_server, "boss@a.example")
    page.click("text=Reconciliation")
    page.set_input_files("#file", str(statement))
    page.click("button.primary")
    assert "0 matched · 2 suggested" in page.locator("#report").inner_text()
    review = page.locator("#review")
    assert "ELEC-4" in review.inner_text() and "ELEC-2" in review.inner_text()
    screenshot(page, "console-reconciliation-review")

    page.locator("section.suggestion", has_text="ELEC-4").locator("button", has_text="Confirm").click()
    page.wait_for_selector("text=Payment recorded.")  # the form posts and the page reloads: not at once
    assert "Payment recorded." in page.content()
    page.locator("section.suggestion", has_text="ELEC-2").locator("button", has_text="Reject").click()
    assert "No suggested matches." in page.locator("#review").inner_text()
    context.close()

    session.expire_all()
    [payment] = session.exec(select(Payment)).all()
    assert (payment.bill_id, payment.amount_paise, payment.source) == (dev.id, 99900, "statement")
    assert (session.get(Bill, dev.id).status, session.get(Bill, ravi.id).status) == ("paid", "open")


def test_a_long_statement_shows_its_progress_then_its_report(app, browser, live_server, session, api, tmp_path):
    from jobs.runner import JobRunner

    settings = app.extensions["settings"]
    app.extensions["settings"] = settings.model_copy(update={"statement_sync_max_lines": 3})  # "long" from 4 lines
    create_user(
        session=session, email="boss@a.example", password="correct horse battery", role=Role.BILLER_ADMIN,
        biller_id=api.biller.id,
    )  # fmt: skip
    make_bill(
        session, api.biller, reference="ELEC-4", amount=99900, customer={"reference": "C-DEV", "name": "Dev Anand"}
    )
    statement = tmp_path / "sbi-november.csv"
    statement.write_text(
        sbi_statement(
            ("25 Nov 2026", "BY TRANSFER-NEFT*HDFC0000001*N329261234567*D ANAND--", "TRANSFER FROM 4897691162093",
             "", "999.00"),
        )
    )  # fmt: skip
    context = browser.new_context(**browser.devices["Desktop Chrome"])
    page = context.new_page()
    sign_in(page, live_server, "boss@a.example")
    page.click("text=Reconciliation")
    page.set_input_files("#file", str(statement))
    page.click("button.primary")

    assert "/console/reconciliation/jobs/" in page.url
    assert "Waiting for a worker to start matching" in page.locator("#job").inner_text()
    screenshot(page, "console-reconciliation-job-waiting")
    assert JobRunner(app).run(once=True) == 1
    page.wait_for_selector("#report", timeout=15_000)  # the page refreshes itself every 2 s

    assert "Finished." in page.locator("#job").inner_text()
    assert "0 matched · 1 suggested" in page.locator("#report").inner_text()
    screenshot(page, "console-reconciliation-job-finished")
    context.close()
