"""Outbox throughput: one worker against a local Twilio fake that answers in 50 ms.

Run: .venv/bin/python -m bench.outbox [--messages 1000] [--limit 40] [--database-url URL]
Prints messages/second without a limit and with one, achieved ÷ limit (goal ≥ 0.95), and the busiest
one-second window at the provider (must never exceed the limit).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import models
from app import create_app
from channels.registry import close_providers
from channels.worker import OutboxWorker
from models.db import current_db, make_engine
from tests.builders import make_bill, make_biller, queue_messages
from tests.fakes.twilio_server import FakeTwilio


def run(database_url: str, fake: FakeTwilio, *, messages: int, rate: str, concurrency: int) -> tuple[float, int]:
    engine = make_engine(database_url)
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        {
            "app_env": "test",
            "database_url": database_url,
            "public_base_url": "https://pay.example.test",
            "twilio_account_sid": fake.account_sid,
            "twilio_auth_token": fake.auth_token,
            "twilio_sms_from": "+14155550100",
            "twilio_api_base_url": fake.url,
            "send_rates": rate,
            "worker_concurrency": concurrency,
            "log_level": "WARNING",
        }
    )
    with app.app_context():
        session = current_db().new_session()
        bill = make_bill(session, make_biller(session))
        queue_messages(session, bill, messages, key="bench")
        session.close()
    fake.arrival_times.clear()
    fake.messages.clear()
    started = time.monotonic()
    OutboxWorker(app).run(once=True)
    elapsed = time.monotonic() - started
    close_providers(app)
    app.extensions["database"].engine.dispose()
    arrivals = sorted(fake.arrival_times)
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert len(fake.messages) == messages, "the fake did not receive every message"
    return messages / elapsed, busiest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--limit", type=float, default=40.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/outbox.db"
    fake = FakeTwilio(delay=0.05).start()
    try:
        unlimited, _ = run(database_url, fake, messages=args.messages, rate="", concurrency=args.concurrency)
        limited, busiest = run(
            database_url, fake, messages=args.messages, rate=f"sms={args.limit:g}", concurrency=args.concurrency
        )
    finally:
        fake.stop()
    database = "PostgreSQL" if "postgres" in database_url else "SQLite"
    print(f"one worker, {args.concurrency} threads, provider answers in 50 ms, {args.messages} messages, {database}")
    print(f"without a limit: {unlimited:7.1f} messages/s")
    print(f"limit {args.limit:g}/s:      {limited:7.1f} messages/s, busiest one-second window {busiest}")
    print(
        f"achieved / limit: {limited / args.limit:.2f} (goal >= 0.95, busiest window <= limit: "
        f"{'yes' if busiest <= args.limit else 'NO'})"
    )


if __name__ == "__main__":
    main()
