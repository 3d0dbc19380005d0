"""wrk, a load generator in C, against the bench server, and the server workers' CPU time per request from /proc.

A Python client on a 2-core machine takes CPU from the server it measures; wrk takes little, and the CPU time the
gunicorn workers spent per request (utime + stime, read from /proc before and after) does not depend on the client.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's package when it is missing and we may (root), else says how."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk is needed: apt-get install wrk")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers, for its master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / _CLOCK_TICKS


@dataclass
class WrkResult:
    """One wrk run and the server CPU it cost."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    server_cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_seconds * 1000 / max(self.requests, 1)

    def line(self, name: str) -> str:
        return (
            f"{name:<28} {self.rps:8.1f} req/s   p50 {self.p50_ms:6.1f} ms   p99 {self.p99_ms:6.1f} ms   "
            f"server CPU {self.cpu_ms_per_request:6.3f} ms/request   errors {self.errors}"
        )


def run_wrk(
    url: str,
    *,
    server_pids: list[int],
    seconds: float = 8.0,
    connections: int = 8,
    threads: int = 1,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> WrkResult:
    """Load `url` with wrk for `seconds`; `script` is Lua for requests that must differ (see signed_requests)."""
    command = [ensure_wrk(), "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    before = cpu_seconds(server_pids)
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    spent = cpu_seconds(server_pids) - before
    Path(lua.name).unlink()
    return _parse(output, spent)


def _parse(output: str, spent: float) -> WrkResult:
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    duration = float(done.group(2)) * _UNITS_MS[done.group(3)] / 1000
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return WrkResult(
        requests=int(done.group(1)),
        seconds=duration,
        errors=(int(bad.group(1)) if bad else 0) + socket_errors,
        p50_ms=_to_ms(latency.get("50", "0ms")),
        p99_ms=_to_ms(latency.get("99", "0ms")),
        server_cpu_seconds=spent,
    )


def _to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * _UNITS_MS[unit]


def prepared_requests(
    method: str, path: str, requests: list[tuple[str, dict[str, str]]], *, threads: int, delay_ms: float = 0
) -> str:
    """A wrk Lua script sending each prepared (body, headers) in turn, split between wrk's threads.

    With `delay_ms`, each connection waits that long before each request: an offered load of about
    connections × 1000 / delay_ms requests a second, whatever the server could take (see `paced`).

    The requests are written to a file the script reads (one tab-separated line each), so every request
    carries a fresh id and signature without Lua having to compute an HMAC.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as data:
        names = sorted(requests[0][1])
        for body, headers in requests:
            data.write("\t".join([body, *(headers[name] for name in names)]) + "\n")
    header_table = ", ".join(f'["{name}"]=fields[{n + 2}]' for n, name in enumerate(names))
    return f"""
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  rows = {{}}
  for line in io.lines("{data.name}") do
    local fields = {{}}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, field) end
    table.insert(rows, wrk.format("{method}", "{path}", {{{header_table}}}, fields[1]))
  end
  position = id
end
function request()
  local row = rows[(position % #rows) + 1]
  position = position + {threads}
  return row
end
function delay()
  return {delay_ms:.3f}
end
"""


def paced(rate: float, connections: int) -> float:
    """The per-request delay (ms) that makes `connections` connections offer about `rate` requests a second."""
    return connections * 1000 / rate


def combined(results: list[WrkResult]) -> WrkResult:
    """Several wrk runs of the same request as one: requests and CPU summed, the worst p50/p99 kept."""
    return WrkResult(
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        errors=sum(r.errors for r in results),
        p50_ms=max(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        server_cpu_seconds=sum(r.server_cpu_seconds for r in results),
    )
