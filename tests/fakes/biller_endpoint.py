"""A biller's bill-fetch endpoint on loopback: checks our signature and answers as configured."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from billing.signatures import SignatureError, verify


@dataclass
class FakeBillerEndpoint:
    """Set `status`, `body` and `delay` to choose the answer; `requests` records what arrived."""

    secret: str
    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0
    requests: list[dict] = field(default_factory=list)
    signature_errors: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, payload: dict, status: int = 200) -> None:
        self.status, self.body = status, json.dumps(payload).encode()

    def start(self) -> FakeBillerEndpoint:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    verify(endpoint.secret, self.headers.get("X-Signature"), raw)
                except SignatureError as exc:
                    endpoint.signature_errors.append(str(exc))
                endpoint.requests.append(json.loads(raw))
                time.sleep(endpoint.delay)
                self.send_response(endpoint.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(endpoint.body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # the client gave up on a deliberately slow answer; nothing to report

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/fetch"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
