"""Profile the signed inbound Twilio webhook in-process: the production app, N fresh signed SMS, Flask's test client.

Run: .venv/bin/python -m bench.profile_webhook [--requests 1000] [--database-url URL] [--sort tottime] [--top 40]
Prints the CPU time per request (the view itself, no server or client) beside hello-world's, and the profile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import time
from urllib.parse import parse_qsl

from bench.serve import create_bench_app, flask_cli, production_env
from bench.webhooks import signed_sms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    account, auth_token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = production_env(
        args.database_url, TWILIO_ACCOUNT_SID=account, TWILIO_AUTH_TOKEN=auth_token, TWILIO_SMS_FROM="+14155550100"
    )
    flask_cli(env, "db", "upgrade")
    os.environ.update(env)
    client = create_bench_app().test_client()
    url = env["PUBLIC_BASE_URL"] + "/webhooks/twilio"

    def requests(count: int) -> list[tuple[dict, dict]]:
        return [
            (dict(parse_qsl(body)), headers)
            for body, headers in (signed_sms(account, auth_token, url) for _ in range(count))
        ]

    def post(prepared) -> None:
        for form, headers in prepared:
            assert client.post("/webhooks/twilio", data=form, headers=headers).status_code == 200

    post(requests(50))
    prepared = requests(args.requests)
    started = time.process_time()
    for _ in range(args.requests):
        client.get("/_bench/hello")
    hello = time.process_time() - started
    started = time.process_time()
    post(prepared)
    spent = time.process_time() - started
    print(f"hello-world  {hello * 1000 / args.requests:.3f} ms CPU per request (in-process, test client)")
    print(f"webhook      {spent * 1000 / args.requests:.3f} ms CPU per request (in-process, test client)")
    prepared = requests(args.requests)
    profile = cProfile.Profile()
    profile.enable()
    post(prepared)
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
