"""A small closed-loop HTTP load generator (processes × connections), reporting req/s and latency percentiles."""

from __future__ import annotations

import http.client
import multiprocessing
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    """What one load run measured."""

    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")

    def line(self, name: str) -> str:
        return (
            f"{name:<28} {self.rps:8.1f} req/s   p50 {self.percentile(0.50):6.1f} ms   "
            f"p99 {self.percentile(0.99):6.1f} ms   errors {self.errors}"
        )


def _worker(url: str, headers: dict, seconds: float, expect: tuple[int, ...], queue, make_request) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies, errors, deadline = [], 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        method, body, request_headers = make_request() if make_request else ("GET", None, headers)
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            connection.request(method, path, body=body, headers=request_headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status not in expect:
                errors += 1
                continue
        except OSError:
            errors += 1
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    queue.put((latencies, errors))


def run_load(
    url: str,
    *,
    seconds: float = 8.0,
    concurrency: int = 8,
    headers: dict | None = None,
    expect: tuple[int, ...] = (200,),
    make_request=None,
) -> LoadResult:
    """Hit one URL from `concurrency` processes for `seconds`; every request opens its own connection.

    make_request, a module-level function, builds each request as (method, body, headers) when every
    request must differ (signed webhooks with fresh ids); its time is not counted in the latency.
    """
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=_worker, args=(url, headers or {}, seconds, expect, queue, make_request))
        for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    latencies = [ms for batch, _ in results for ms in batch]
    return LoadResult(len(latencies), sum(errors for _, errors in results), elapsed, latencies)
