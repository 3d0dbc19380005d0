"""Outbox throughput: one worker against a Twilio fake (in a process of its own) that answers in 50 ms.

Run: .venv/bin/python -m bench.outbox [--messages 2000] [--limit 400] [--runs 3] [--database-url URL]
Prints messages/second without a limit (goal ≥ 500) and with one, achieved ÷ limit (goal ≥ 0.95), and the
busiest one-second window at the provider (must never exceed the limit); min/median/max over the runs.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import statistics
import tempfile
import time
from types import SimpleNamespace

from app import create_app
from bench.serve import fresh_schema
from channels.registry import close_providers
from channels.worker import OutboxWorker
from models.db import current_db
from tests.builders import make_bill, make_biller, queue_messages
from tests.fakes.twilio_server import FakeTwilio


def serve_fake(connection, delay: float) -> None:
    """The fake provider's process: answers 'report' with (arrival times, message count) and starts afresh."""
    fake = FakeTwilio(delay=delay).start()
    connection.send((fake.url, fake.account_sid, fake.auth_token))
    while connection.recv() == "report":
        connection.send((list(fake.arrival_times), len(fake.messages)))
        fake.arrival_times.clear()
        fake.messages.clear()
    fake.stop()


def run(database_url: str, fake, *, messages: int, rate: str, concurrency: int) -> tuple[float, int, float]:
    fresh_schema(database_url)
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
    fake.report()  # forget the setup
    gc.freeze()  # as `flask worker` does once set up (commands/processes.py)
    started = time.monotonic()
    OutboxWorker(app).run(once=True)
    elapsed = time.monotonic() - started
    close_providers(app)
    app.extensions["database"].engine.dispose()
    arrivals, received = fake.report()
    arrivals.sort()
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert received == messages, f"the fake received {received} of {messages} messages"
    return messages / elapsed, busiest, (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f} / median {statistics.median(values):.2f} / max {max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--limit", type=float, default=400.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/outbox.db"
    ours, theirs = multiprocessing.Pipe()
    provider = multiprocessing.Process(target=serve_fake, args=(theirs, 0.05), daemon=True)
    provider.start()
    url, sid, token = ours.recv()

    def report():
        ours.send("report")
        return ours.recv()

    fake = SimpleNamespace(url=url, account_sid=sid, auth_token=token, report=report)
    unlimited, ratios, steady, busiest = [], [], [], []
    try:
        for _ in range(args.runs):
            unlimited.append(run(database_url, fake, messages=args.messages, rate="", concurrency=args.concurrency)[0])
            rate, window, at_provider = run(
                database_url, fake, messages=args.messages, rate=f"sms={args.limit:g}", concurrency=args.concurrency
            )
            ratios.append(rate / args.limit)
            steady.append(at_provider / args.limit)
            busiest.append(window)
    finally:
        ours.send("stop")
        provider.join(timeout=5)
    database = "PostgreSQL" if "postgres" in database_url else "SQLite"
    print(f"one worker, {args.concurrency} threads, provider answers in 50 ms, {args.messages} messages, {database}")
    print(f"without a limit, messages/s: {spread(unlimited)} (goal >= 500)")
    print(f"limit {args.limit:g}/s, achieved / limit: {spread(ratios)} (goal >= 0.95)")
    print(f"  the same from first to last arrival at the provider (no start-up): {spread(steady)}")
    print(
        f"busiest one-second window: {max(busiest)} (must be <= {args.limit:g}: "
        f"{'yes' if max(busiest) <= args.limit else 'NO'})"
    )


if __name__ == "__main__":
    main()
