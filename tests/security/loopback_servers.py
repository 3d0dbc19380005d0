"""Tiny HTTP servers on loopback for the security tests: one that redirects, one that records what it got."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class LoopbackServer:
    """Answers every POST with `status` (and `location`, for redirects); records each request's Host and path."""

    status: int = 200
    body: bytes = b'{"status": "NO_BILL_DUE"}'
    location: str | None = None
    requests: list[dict] = field(default_factory=list)

    def start(self) -> LoopbackServer:
        server_state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server_state.requests.append({"host": self.headers.get("Host"), "path": self.path})
                self.send_response(server_state.status)
                if server_state.location:
                    self.send_header("Location", server_state.location)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(server_state.body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self._server.server_port

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
