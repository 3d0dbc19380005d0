"""The app as benchmarks serve it: the real factory under gunicorn, plus a hello-world baseline route."""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

import models
from app import create_app
from config import normalise_database_url
from models.db import make_engine

ROOT = Path(__file__).resolve().parents[1]


def create_bench_app():
    """create_app() with /_bench/hello, the cheapest possible response from the same stack."""
    app = create_app()

    @app.get("/_bench/hello")
    def hello():
        return "hello"

    return app


def fresh_schema(database_url: str) -> None:
    """Empty a bench's own database and create every table from the models (the bench seeds what it measures)."""
    engine = make_engine(normalise_database_url(database_url))
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str | None, **extra: str) -> dict:
    """A production configuration with throwaway secrets, on a fresh SQLite file unless a URL is given."""
    port = free_port()
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PAYMENT_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "SECRETS_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.db",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "BENCH_PORT": str(port),
        **extra,
    }


def flask_cli(env: dict, *args: str) -> str:
    """Run `flask --app app …` with this environment and return what it printed."""
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    return subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout


@contextmanager
def gunicorn(env: dict, workers: int) -> Iterator[str]:
    """The bench app under gunicorn with sync workers; yields its base URL once it answers."""
    with gunicorn_server(env, workers) as (base, _):
        yield base


@contextmanager
def gunicorn_server(env: dict, workers: int) -> Iterator[tuple[str, int]]:
    """As `gunicorn`, yielding the base URL and the master's pid (its children are the workers)."""
    port = env["BENCH_PORT"]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.serve:create_bench_app()",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/_bench/hello").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)
