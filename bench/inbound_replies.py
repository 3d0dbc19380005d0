"""How long a customer waits for the bot's reply now that the webhook only stores: signed inbound SMS posted
at a steady rate, the worker (inbound step + outbox) running as it does in production, the reply's arrival
at a Twilio fake timed from the webhook's answer.

Run: .venv/bin/python -m bench.inbound_replies [--messages 100] [--per-second 10] [--database-url URL]
Prints p50/p99/max seconds from webhook to reply at the provider (goal: within a second or two).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time

from twilio.request_validator import RequestValidator

from app import create_app
from bench.serve import fresh_schema
from channels.registry import close_providers
from channels.worker import OutboxWorker
from jobs.inbound import serve_inbound
from tests.fakes.twilio_server import FakeTwilio

BASE = "https://pay.example.test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--per-second", type=float, default=10.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/replies.db"
    fresh_schema(database_url)
    fake = FakeTwilio().start()
    app = create_app(
        {
            "app_env": "test",
            "database_url": database_url,
            "public_base_url": BASE,
            "twilio_account_sid": fake.account_sid,
            "twilio_auth_token": fake.auth_token,
            "twilio_sms_from": "+14155550100",
            "twilio_api_base_url": fake.url,
            "send_rates": "",
            "log_level": "WARNING",
        }
    )
    worker = OutboxWorker(app)
    threads = [
        threading.Thread(target=worker.run, kwargs={"idle_seconds": 1.0}),
        threading.Thread(
            target=serve_inbound, kwargs={"app": app, "stopping": worker.stopping, "answered": worker.wake}
        ),
    ]
    for thread in threads:
        thread.start()
    client = app.test_client()
    posted: dict[str, float] = {}
    validator = RequestValidator(fake.auth_token)
    try:
        for n in range(args.messages):
            phone = f"+9198{n:08d}"
            params = {"MessageSid": f"SM{n:032d}", "From": phone, "To": "+14155550100", "Body": "hello"}
            signature = validator.compute_signature(f"{BASE}/webhooks/twilio", params)
            response = client.post("/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature})
            assert response.status_code == 200
            posted[phone] = time.monotonic()
            time.sleep(1 / args.per_second)
        deadline = time.monotonic() + 60
        while len(fake.messages) < args.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
        for thread in threads:
            thread.join()
        close_providers(app)
        fake.stop()
    replies = zip(fake.messages, fake.arrival_times, strict=True)
    waits = sorted(arrived - posted[message["To"]] for message, arrived in replies)
    print(f"{len(waits)} of {args.messages} replies at the provider; {args.per_second:g} inbound/s")
    print(
        f"webhook to reply: p50 {statistics.median(waits):.2f} s, p99 {waits[int(len(waits) * 0.99) - 1]:.2f} s, "
        f"max {waits[-1]:.2f} s (goal: within a second or two)"
    )


if __name__ == "__main__":
    main()
