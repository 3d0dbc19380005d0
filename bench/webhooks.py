"""Signed inbound Twilio webhooks against a hello-world route on the same gunicorn server, loaded by wrk.

Run: .venv/bin/python -m bench.webhooks [--seconds 12] [--rounds 4] [--connections 8] [--database-url URL]
Each request is a fresh, correctly signed SMS from an unknown sender (prepared before the run and replayed
once each by wrk's Lua script), so every one is validated and stored; the bot answers it later, in the worker
(no worker runs here: this measures what the web server pays). Prints req/s, p50/p99 and server CPU per
request, the ratios webhook ÷ hello (issue #17's goal ≥ 0.3 by CPU per request) and p99 at half the load
(goal < 50 ms): the rate reached, offered again at half by pacing wrk's connections.
"""

from __future__ import annotations

import argparse
import random
import secrets
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench.serve import flask_cli, gunicorn_server, production_env
from bench.wrk import children, combined, paced, prepared_requests, run_wrk


def signed_sms(account: str, auth_token: str, url: str) -> tuple[str, dict[str, str]]:
    """One new inbound SMS, signed as Twilio signs it."""
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": account,
        "From": f"+9198{random.randint(10_000_000, 99_999_999)}",
        "To": "+14155550100",
        "Body": "bill",
        "NumMedia": "0",
    }
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return urlencode(params), {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="hello and webhook alternate in this many rounds")
    parser.add_argument("--prepared", type=int, default=30_000, help="signed requests prepared per run")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    account, auth_token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = production_env(
        args.database_url, TWILIO_ACCOUNT_SID=account, TWILIO_AUTH_TOKEN=auth_token, TWILIO_SMS_FROM="+14155550100"
    )
    hook_url = env["PUBLIC_BASE_URL"] + "/webhooks/twilio"

    def script(delay_ms: float = 0) -> str:
        requests = [signed_sms(account, auth_token, hook_url) for _ in range(args.prepared)]
        return prepared_requests("POST", "/webhooks/twilio", requests, threads=1, delay_ms=delay_ms)

    flask_cli(env, "db", "upgrade")
    with gunicorn_server(env, args.workers) as (base, master):
        load = {"seconds": args.seconds / args.rounds, "connections": args.connections, "server_pids": children(master)}
        run_wrk(hook_url, **{**load, "seconds": 2}, script=script())  # warm up
        hellos, hooks = [], []
        for _ in range(args.rounds):  # alternated, so that a shared machine's other load weighs on both alike
            hellos.append(run_wrk(f"{base}/_bench/hello", **load))
            hooks.append(run_wrk(hook_url, **load, script=script()))
        hello, hook = combined(hellos), combined(hooks)
        # Half load: the same connections, each pausing so that together they offer half the rate just reached.
        half = run_wrk(
            hook_url, **{**load, "seconds": args.seconds / 2}, script=script(paced(hook.rps / 2, args.connections))
        )
    database = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(f"gunicorn {args.workers} sync workers, wrk {args.connections} connections, {args.seconds:.0f}s, {database}")
    print(hello.line("hello-world"))
    print(hook.line("signed inbound webhook"))
    print(half.line(f"  offered {hook.rps / 2:.0f}/s (half)"))
    print(f"ratio webhook / hello-world by req/s: {hook.rps / hello.rps:.2f}")
    cpu_ratio = hello.cpu_ms_per_request / hook.cpu_ms_per_request
    print(f"ratio webhook / hello-world by server CPU per request: {cpu_ratio:.2f} (goal >= 0.30)")
    print(f"p99 at half the load: {half.p99_ms:.1f} ms (goal < 50)")


if __name__ == "__main__":
    main()
