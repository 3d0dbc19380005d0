"""Payment page against a hello-world route on the same gunicorn server, loaded by wrk.

Run: .venv/bin/python -m bench.payment_page [--seconds 12] [--rounds 4] [--connections 8] [--database-url URL]
Prints req/s, p50/p99 and the server workers' CPU time per request (from /proc) for both, and the ratios
page ÷ hello by req/s and by CPU per request (issue #17's goal: ≥ 0.4 by CPU per request).
"""

from __future__ import annotations

import argparse

import httpx

from bench.serve import flask_cli, gunicorn_server, production_env
from bench.wrk import children, combined, run_wrk

ANDROID = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="hello and page alternate in this many rounds")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    env = production_env(args.database_url)
    flask_cli(env, "db", "upgrade")
    demo = flask_cli({**env, "APP_ENV": "development"}, "demo")
    link_path = "/p/" + next(line for line in demo.splitlines() if "ELEC-2026-1003" in line).rsplit("/", 1)[1]
    with gunicorn_server(env, args.workers) as (base, master):
        assert httpx.get(base + link_path, headers=ANDROID).status_code == 200
        workers = children(master)
        load = {"seconds": args.seconds, "connections": args.connections, "server_pids": workers}
        run_wrk(base + link_path, **{**load, "seconds": 2}, headers=ANDROID)  # warm both workers
        # Alternated in short rounds, so that the other work on a shared machine weighs on both alike.
        load["seconds"] = args.seconds / args.rounds
        hellos, pages = [], []
        for _ in range(args.rounds):
            hellos.append(run_wrk(f"{base}/_bench/hello", **load))
            pages.append(run_wrk(base + link_path, **load, headers=ANDROID))
        hello, page = combined(hellos), combined(pages)
    database = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(f"gunicorn {args.workers} sync workers, wrk {args.connections} connections, {args.seconds:.0f}s, {database}")
    print(hello.line("hello-world"))
    print(page.line("payment page /p/<token>"))
    print(f"ratio page / hello-world by req/s: {page.rps / hello.rps:.2f}")
    print(
        f"ratio page / hello-world by server CPU per request: "
        f"{hello.cpu_ms_per_request / page.cpu_ms_per_request:.2f} (goal >= 0.40)"
    )


if __name__ == "__main__":
    main()
