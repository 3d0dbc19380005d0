"""The app as benchmarks serve it: the real factory plus a hello-world baseline route."""

from __future__ import annotations

from app import create_app


def create_bench_app():
    """create_app() with /_bench/hello, the cheapest possible response from the same stack."""
    app = create_app()

    @app.get("/_bench/hello")
    def hello():
        return "hello"

    return app
