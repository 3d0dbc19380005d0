"""Signed inbound Twilio webhooks per second against a hello-world route on the same gunicorn server.

Run: .venv/bin/python -m bench.webhooks [--seconds 8] [--concurrency 8] [--database-url URL]
Each request is a fresh, correctly signed SMS from an unknown sender, so every one is validated, stored,
answered by the bot and queued in the outbox. Prints the ratio (goal ≥ 0.5) and p99 at half the load
(goal < 100 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.load import run_load
from bench.serve import flask_cli, gunicorn, production_env


def signed_sms():
    """One new inbound SMS, signed as Twilio signs it (runs in the load processes)."""
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": os.environ["BENCH_ACCOUNT_SID"],
        "From": f"+9198{random.randint(10_000_000, 99_999_999)}",
        "To": "+14155550100",
        "Body": "bill",
        "NumMedia": "0",
    }
    signature = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"]).compute_signature(
        os.environ["PUBLIC_BASE_URL"] + "/webhooks/twilio", params
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return "POST", urlencode(params), headers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    account = "AC" + secrets.token_hex(16)
    env = production_env(
        args.database_url,
        TWILIO_ACCOUNT_SID=account,
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_SMS_FROM="+14155550100",
        BENCH_ACCOUNT_SID=account,
    )
    os.environ.update({key: env[key] for key in ("BENCH_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")})
    flask_cli(env, "db", "upgrade")
    with gunicorn(env, args.workers) as base:
        run_load(f"{base}/webhooks/twilio", seconds=1, concurrency=2, make_request=signed_sms)  # warm up
        hello = run_load(f"{base}/_bench/hello", seconds=args.seconds, concurrency=args.concurrency)
        hooks = run_load(
            f"{base}/webhooks/twilio", seconds=args.seconds, concurrency=args.concurrency, make_request=signed_sms
        )
        half = run_load(
            f"{base}/webhooks/twilio",
            seconds=args.seconds,
            concurrency=max(args.concurrency // 2, 1),
            make_request=signed_sms,
        )
    database = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(
        f"gunicorn {args.workers} sync workers, {args.concurrency} client processes, {args.seconds:.0f}s each, "
        f"{database}"
    )
    print(hello.line("hello-world"))
    print(hooks.line("signed inbound webhook"))
    print(half.line("  at half the clients"))
    print(
        f"ratio webhook / hello-world: {hooks.rps / hello.rps:.2f} (goal >= 0.50); "
        f"p99 at half the load {half.percentile(0.99):.1f} ms (goal < 100)"
    )


if __name__ == "__main__":
    main()
