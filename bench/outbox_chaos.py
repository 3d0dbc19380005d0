"""The outbox through faults at full size: 3 worker processes, 2,000 messages, a Twilio fake answering in 300 ms,
pg_terminate_backend on every worker connection every 0.2 s and two SIGKILLs. The suite runs the same at 300.

Run: .venv/bin/python -m bench.outbox_chaos --database-url postgresql://postgres@127.0.0.1:5432/<your db>
[--messages 2000]. The database is emptied. Prints messages lost and sent twice (both must be 0).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from types import SimpleNamespace

from app import create_app
from bench.serve import fresh_schema
from channels.registry import close_providers
from models.db import current_db
from tests.builders import make_biller
from tests.channels.test_worker_chaos import run_chaos
from tests.fakes.twilio_server import FakeTwilio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database of your own: it is emptied")
    args = parser.parse_args()
    fresh_schema(args.database_url)
    fake = FakeTwilio().start()
    app = create_app(
        {
            "app_env": "test",
            "database_url": args.database_url,
            "public_base_url": "https://pay.example.test",
            "twilio_account_sid": fake.account_sid,
            "twilio_auth_token": fake.auth_token,
            "twilio_api_base_url": fake.url,
            "send_rates": "",
        }
    )
    try:
        with app.app_context():
            session = current_db().new_session()
            api = SimpleNamespace(biller=make_biller(session))
            logs = Path(tempfile.mkdtemp(prefix="outbox-chaos-"))
            figures = run_chaos(app, session, api, fake, count=args.messages, logs=logs, deadline_seconds=1800)
            session.close()
    finally:
        fake.stop()
        close_providers(app)
    print(
        f"{figures['messages']} messages, 3 workers, provider 300 ms, {figures['sigkills']} SIGKILLs, "
        f"{figures['connections_terminated']} connections terminated"
    )
    print(f"rows: {figures['sent_rows']}; lost {figures['lost']}, sent twice {figures['sent_twice']}")
    print(f"all sent in {figures['seconds']} s; worker exit codes {figures['worker_exits']}")
    print(f"fake Twilio spec violations: {len(fake.violations)}; worker logs in {logs}")


if __name__ == "__main__":
    main()
