"""`flask bills import` of a large file: on SQLite it runs as the API's import job, in this process, in short
transactions, so that the web app's writes go through while it runs; the report, output and exit code are those
of the one-transaction import (which PostgreSQL keeps: MVCC makes no one wait for it)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from billing.schemas import BillIn
from config import current_settings
from models import AuditEvent, Bill, Payment, PaymentLink
from models.db import utcnow
from models.jobs import Job
from tests.builders import bill_payload, make_bill
from tests.conftest import process_env
from tests.jobs.conftest import import_csv
from workflows import SYSTEM
from workflows.bills import create_bill
from workflows.payments import record_payment

ROOT = Path(__file__).resolve().parents[2]
ROWS = 4_000
BAD_LINE = ROWS - 3  # a row near the end of the file (line = row number + 2)


@pytest.fixture
def app_overrides() -> dict:
    return {"bulk_sync_max_rows": 100, "import_batch_rows": 200}


def sqlite_only(app) -> None:
    if app.extensions["database"].engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL imports in one transaction, written by COPY: other writers do not wait for it")


def is_sqlite(app) -> bool:
    return app.extensions["database"].engine.dialect.name == "sqlite"


def imported(session, prefix: str = "E-") -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Bill).where(Bill.reference.startswith(prefix))).one()


def staged(session) -> int:
    session.rollback()
    return session.execute(text("SELECT count(*) FROM import_staged_bills")).scalar()


def the_job(session) -> Job | None:
    session.rollback()
    session.expire_all()
    return session.exec(select(Job)).one_or_none()


def cli_import(app, csv_file: Path, biller_id: int, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "bills",
            "import",
            str(csv_file),
            "--biller",
            str(biller_id),
            *args,
        ],
        cwd=ROOT,
        env=process_env(app, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(running: subprocess.Popen, ready, deadline_seconds: float = 120) -> None:
    deadline = time.monotonic() + deadline_seconds
    while not ready():
        assert running.poll() is None, running.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the import never got there"
        time.sleep(0.005)


def test_the_apps_writes_go_through_while_a_large_cli_import_runs_on_sqlite(app, session, api, tmp_path):
    sqlite_only(app)
    csv_file = tmp_path / "bills.csv"
    csv_file.write_bytes(import_csv(ROWS))
    bill = make_bill(session, api.biller, reference="PAID-1")
    running = cli_import(app, csv_file, api.biller.id, BULK_SYNC_MAX_ROWS="100", IMPORT_BATCH_ROWS="100")
    try:
        wait_for(running, lambda: staged(session) > 0)  # staging, in batches of 100 rows
        paid = record_payment(
            session=session,
            actor=SYSTEM,
            now=utcnow(),
            bill=bill,
            amount_paise=bill.amount_due_paise,
            reference="412345678901",
            source="webhook",
        )
        session.commit()
        assert the_job(session).status == "running"  # the payment did not wait for the import to end
        assert imported(session) == 0

        wait_for(running, lambda: imported(session) > 0)  # publishing, in batches of 500
        data = BillIn.model_validate(bill_payload(reference="API-1"))
        create_bill(
            session=session, actor=SYSTEM, now=utcnow(), biller=api.biller, data=data, settings=current_settings()
        )
        session.commit()
        assert the_job(session).status == "running"
        assert imported(session) < ROWS

        stdout, stderr = running.communicate(timeout=180)
    finally:
        if running.poll() is None:
            running.kill()
            running.communicate()

    assert running.returncode == 0, stderr.decode()[-2000:]
    assert stdout.decode() == f"Imported {ROWS} of {ROWS} bill(s); 0 rejected\n"
    assert imported(session) == ROWS
    assert session.exec(select(func.count()).select_from(PaymentLink)).one() == ROWS + 2
    assert session.get(Payment, paid.payment.id) is not None
    assert imported(session, "API-") == 1
    assert staged(session) == 0
    job = the_job(session)
    assert (job.status, job.params, job.report["imported"]) == ("succeeded", {"partial": False, "actor": "cli"}, ROWS)


def test_a_bad_row_near_the_end_of_a_large_cli_import_imports_nothing_and_names_the_row(
    app, session, api, other_api, tmp_path
):
    csv_file = tmp_path / "bills.csv"
    csv_file.write_bytes(import_csv(ROWS, bad_lines=(BAD_LINE,)))
    runner = app.test_cli_runner()

    strict = runner.invoke(args=["bills", "import", str(csv_file), "--biller", str(api.biller.id)])

    assert strict.exit_code == 1
    assert strict.stderr == (
        f"line {BAD_LINE + 2}: customer_phone: is not a valid phone number\n"
        f"Error: 1 bad row(s) of {ROWS}; nothing imported (use --partial to import the good rows)\n"
    )
    assert strict.stdout == ""
    assert imported(session) == 0
    assert staged(session) == 0
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "bills.import")).all() == []
    job = the_job(session)
    if is_sqlite(app):
        assert (job.status, job.report["error"]["code"]) == ("failed", "invalid_rows")
    else:
        assert job is None  # PostgreSQL: one transaction, as before

    # The same file imported in one transaction (a threshold above its size) says exactly the same.
    app.extensions["settings"] = app.extensions["settings"].model_copy(update={"bulk_sync_max_rows": 1_000_000})
    synchronous = runner.invoke(args=["bills", "import", str(csv_file), "--biller", str(other_api.biller.id)])
    assert (synchronous.exit_code, synchronous.stdout, synchronous.stderr) == (1, "", strict.stderr)


def test_a_large_partial_cli_import_imports_the_good_rows_and_names_the_bad_one(app, session, api, tmp_path):
    csv_file = tmp_path / "bills.csv"
    csv_file.write_bytes(import_csv(ROWS, bad_lines=(BAD_LINE,)))

    result = app.test_cli_runner().invoke(
        args=["bills", "import", str(csv_file), "--biller", str(api.biller.id), "--partial"]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Imported {ROWS - 1} of {ROWS} bill(s); 1 rejected\n"
    assert result.stderr == f"line {BAD_LINE + 2}: customer_phone: is not a valid phone number\n"
    assert imported(session) == ROWS - 1
    assert session.exec(select(Bill.id).where(Bill.reference == f"E-{BAD_LINE}")).first() is None
    assert staged(session) == 0
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "bills.import")).one()
    assert (audited.actor, audited.detail) == ("cli", {"imported": ROWS - 1, "rejected": 1})
    job = the_job(session)
    assert job.status == "succeeded" if is_sqlite(app) else job is None


def test_a_large_cli_import_interrupted_while_staging_imports_nothing(app, session, api, tmp_path):
    sqlite_only(app)
    csv_file = tmp_path / "bills.csv"
    csv_file.write_bytes(import_csv(ROWS))
    running = cli_import(app, csv_file, api.biller.id, BULK_SYNC_MAX_ROWS="100", IMPORT_BATCH_ROWS="100")
    try:
        wait_for(running, lambda: staged(session) > 0)
        running.send_signal(signal.SIGINT)  # Ctrl-C
        _, stderr = running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
            running.communicate()

    assert running.returncode == 1
    assert "Aborted!" in stderr.decode()
    job = the_job(session)
    assert (job.status, job.report["error"]["code"]) == ("failed", "job_cancelled")
    assert (imported(session), staged(session)) == (0, 0)  # and no worker will import it later
