"""Payment page throughput and latency against a hello-world route on the same gunicorn server.

Run: .venv/bin/python -m bench.payment_page [--seconds 8] [--concurrency 8] [--database-url URL]
Prints requests/s and p50/p99 for both, and the ratio page ÷ hello (goal ≥ 0.7).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import models
from bench.load import run_load
from models.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
ANDROID = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict) -> str:
    """Create the schema and one bill; return its link path."""
    engine = make_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    engine.dispose()
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(
        [*flask, "biller", "create", "--name", "Bench Power", "--vpa", "bench@icici"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [*flask, "demo"], env={**env, "APP_ENV": "development"}, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    url = next(line.split(": ", 1)[1] for line in out.splitlines() if "ELEC-2026-1003" in line)
    return "/p/" + url.rsplit("/", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-")
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PAYMENT_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.db",
        "LOG_LEVEL": "WARNING",
    }
    port = free_port()
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    link_path = seed(env)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.serve:create_bench_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/_bench/hello").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert httpx.get(base + link_path, headers=ANDROID).status_code == 200
        run_load(base + link_path, seconds=1, concurrency=2, headers=ANDROID)  # warm both workers
        hello = run_load(f"{base}/_bench/hello", seconds=args.seconds, concurrency=args.concurrency)
        page = run_load(base + link_path, seconds=args.seconds, concurrency=args.concurrency, headers=ANDROID)
    finally:
        server.terminate()
        server.wait(timeout=10)
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
