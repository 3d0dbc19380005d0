"""Campaign day end to end: a 20,000-bill CSV → import → planning pass → every reminder accepted by a fake provider.

Run: .venv/bin/python -m bench.campaign_day [--bills 20000] [--rate 200] [--database-url URL] [--runs 1]
Every stage goes through the project's own process entry points, so the bench keeps measuring whatever the
worker becomes: `flask bills import`, `flask dunning run-once`, then two `flask worker` processes against a
local Twilio fake, SEND_RATES limiting WhatsApp to --rate per second. The processes' clock is set (through
CLOCK_OFFSET_SECONDS, so APP_ENV=development) to a Thursday 11:00 in Kolkata, the bills' due date, when the
due-date reminder is due and contact hours are open. Prints each stage's time and floor ÷ total, where the
floor is bills ÷ rate (100 s at the defaults; goal ≥ 0.8). PostgreSQL: give a database of your own; it is emptied.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from app import create_app
from bench.serve import ROOT, flask_cli, production_env
from channels.template_store import save_template
from channels.templates import default_template
from config import Settings
from models.db import current_db
from tests.fakes.twilio_server import FakeTwilio

GOAL = 0.8
DUE_DATE = "2026-12-10"  # a Thursday
CLOCK = datetime(2026, 12, 10, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


def csv_file(bills: int) -> Path:
    lines = ["reference,customer_reference,customer_name,customer_phone,amount,due_date"]
    lines += [f"CD-{n},CC-{n},Customer {n},98{n:08d},{1000 + n},{DUE_DATE}" for n in range(bills)]
    path = Path(tempfile.mkdtemp(prefix="campaign-")) / "bills.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def timed(label: str, call) -> float:
    started = time.monotonic()
    call()
    elapsed = time.monotonic() - started
    print(f"  {label:34} {elapsed:7.1f} s")
    return elapsed


def accepted_count(database_url: str) -> int:
    """Bills whose reminder the provider has accepted (sent, or already delivered or read; after a fallback
    to the next channel too), read straight from the database."""
    query = "SELECT count(DISTINCT bill_id) FROM outbound_messages WHERE status IN ('sent', 'delivered', 'read')"
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(query).fetchone()[0]
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        accepted = connection.execute(text(query)).scalar()
    engine.dispose()
    return accepted


def failures(database_url: str) -> list[tuple]:
    """Messages that did not go, by status and error (a fallback may still have reached the customer)."""
    query = (
        "SELECT status, error_code, substr(error_message, 1, 80), count(*) FROM outbound_messages "
        "WHERE status IN ('failed', 'undelivered', 'cancelled') GROUP BY 1, 2, 3"
    )
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as connection:
            return connection.execute(query).fetchall()
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        rows = connection.execute(text(query)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def empty_postgresql(database_url: str) -> None:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def approve_whatsapp_template(database_url: str, biller_id: int) -> None:
    """What a biller on WhatsApp has: an approved template (a Content SID) for the due-date reminder, since outside
    the customer's 24-hour window only a template may go (without one every reminder fails over to SMS)."""
    app = create_app({"app_env": "development", "database_url": database_url, "log_level": "WARNING"})
    with app.app_context():
        session = current_db().new_session()
        save_template(
            session=session,
            biller_id=biller_id,
            key="reminder_due_today",
            channel="whatsapp",
            language="en",
            body=default_template("reminder_due_today", "en"),
            content_sid="HX" + "0" * 32,
            max_sms_segments=app.extensions["settings"].sms_max_segments,
        )
        session.commit()
        session.close()


def one_run(args, fake: FakeTwilio) -> float:
    offset = (CLOCK - datetime.now(UTC)).total_seconds()
    env = production_env(
        args.database_url,
        APP_ENV="development",
        CLOCK_OFFSET_SECONDS=str(offset),
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_SMS_FROM="+14155550100",
        TWILIO_WHATSAPP_FROM="+14155550101",
        TWILIO_API_BASE_URL=fake.url,
        SEND_RATES=f"whatsapp={args.rate:g},sms={args.rate:g}",
        WORKER_CONCURRENCY=str(args.concurrency),
    )
    if args.database_url:
        empty_postgresql(args.database_url)
    flask_cli(env, "db", "upgrade")
    biller = json.loads(flask_cli(env, "biller", "create", "--name", "Bench Power", "--vpa", "bench@icici", "--json"))
    approve_whatsapp_template(env["DATABASE_URL"], biller["id"])
    path = csv_file(args.bills)
    fake.messages.clear()
    fake.arrival_times.clear()
    print(f"{args.bills:,} bills, 2 workers, provider limit {args.rate:g}/s, clock at {CLOCK.isoformat()}")
    stages = [
        timed(
            "import (flask bills import)",
            lambda: flask_cli(env, "bills", "import", str(path), "--biller", str(biller["id"])),
        ),
        timed("planning pass (flask dunning run-once)", lambda: flask_cli(env, "dunning", "run-once")),
    ]
    queued = args.bills

    def send() -> None:
        workers = [
            subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], env=env, cwd=ROOT)
            for _ in range(2)
        ]
        try:
            while accepted_count(env["DATABASE_URL"]) < queued:
                if any(worker.poll() is not None for worker in workers):
                    sys.exit("a worker exited before every reminder was accepted")
                time.sleep(0.25)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)

    stages.append(timed("sending (2 × flask worker)", send))
    for failure in failures(env["DATABASE_URL"]):
        print(f"  not sent: {failure}")
    total = sum(stages)
    floor = args.bills / args.rate
    assert len({message["To"].removeprefix("whatsapp:") for message in fake.messages}) >= queued, "not all accepted"
    print(f"  {'total':34} {total:7.1f} s; floor {floor:.0f} s; floor ÷ total {floor / total:.2f} (goal >= {GOAL})")
    return floor / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bills", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Settings.model_fields["worker_concurrency"].default,
        help="WORKER_CONCURRENCY of each worker (default: the production default)",
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per run")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    # The processes start as deployed ones do, from compiled bytecode: where PYTHONDONTWRITEBYTECODE is set nothing
    # else compiles the project's, and each stage's process would compile it from source first (seconds each).
    subprocess.run(["make", "--no-print-directory", "bytecode"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    fake = FakeTwilio(delay=0.05).start()
    try:
        ratios = [one_run(args, fake) for _ in range(args.runs)]
    finally:
        fake.stop()
    print(
        f"floor ÷ total over {len(ratios)} run(s): min {min(ratios):.2f} median {statistics.median(ratios):.2f} "
        f"max {max(ratios):.2f} (goal >= {GOAL})"
    )


if __name__ == "__main__":
    main()
