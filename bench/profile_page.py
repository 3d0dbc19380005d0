"""Profile the payment page in-process: the production app, the demo's links, N views through Flask's test client.

Run: .venv/bin/python -m bench.profile_page [--requests 1000] [--database-url URL] [--sort tottime] [--top 40]
Prints the CPU time per view (no server, no client: what the view itself costs) and the cProfile table.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from bench.payment_page import ANDROID
from bench.serve import create_bench_app, flask_cli, production_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--path", default=None, help="profile this path instead of the demo's payment link")
    args = parser.parse_args()
    env = production_env(args.database_url)
    flask_cli(env, "db", "upgrade")
    demo = flask_cli({**env, "APP_ENV": "development"}, "demo")
    link_path = "/p/" + next(line for line in demo.splitlines() if "ELEC-2026-1003" in line).rsplit("/", 1)[1]
    os.environ.update(env)
    client = create_bench_app().test_client()
    path = args.path or link_path
    for _ in range(50):  # warm caches, compiled statements and templates
        assert client.get(path, headers=ANDROID).status_code == 200
    for name, target in (("hello-world", "/_bench/hello"), ("page", path)):
        started = time.process_time()
        for _ in range(args.requests):
            client.get(target, headers=ANDROID)
        spent = time.process_time() - started
        print(f"{name:<12} {spent * 1000 / args.requests:.3f} ms CPU per request (in-process, test client)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(path, headers=ANDROID)
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
