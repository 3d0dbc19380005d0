"""Payment page throughput and latency against a hello-world route on the same gunicorn server.

Run: .venv/bin/python -m bench.payment_page [--seconds 8] [--concurrency 8] [--database-url URL]
Prints requests/s and p50/p99 for both, and the ratio page ÷ hello (goal ≥ 0.7).
"""

from __future__ import annotations

import argparse

import httpx

from bench.load import run_load
from bench.serve import flask_cli, gunicorn, production_env

ANDROID = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    env = production_env(args.database_url)
    flask_cli(env, "db", "upgrade")
    demo = flask_cli({**env, "APP_ENV": "development"}, "demo")
    link_path = "/p/" + next(line for line in demo.splitlines() if "ELEC-2026-1003" in line).rsplit("/", 1)[1]
    with gunicorn(env, args.workers) as base:
        assert httpx.get(base + link_path, headers=ANDROID).status_code == 200
        run_load(base + link_path, seconds=1, concurrency=2, headers=ANDROID)  # warm both workers
        hello = run_load(f"{base}/_bench/hello", seconds=args.seconds, concurrency=args.concurrency)
        page = run_load(base + link_path, seconds=args.seconds, concurrency=args.concurrency, headers=ANDROID)
    database = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(
        f"gunicorn {args.workers} sync workers, {args.concurrency} client processes, {args.seconds:.0f}s each, "
        f"{database}"
    )
    print(hello.line("hello-world"))
    print(page.line("payment page /p/<token>"))
    print(f"ratio payment page / hello-world: {page.rps / hello.rps:.2f} (goal >= 0.70)")


if __name__ == "__main__":
    main()
