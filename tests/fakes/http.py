"""A loopback HTTP server base for fakes of the outside world."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a worker with many sends in flight connects many at once, as Twilio allows

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a deliberately slow answer is not an error of the fake


class LoopbackServer:
    """Runs a handler class on 127.0.0.1:<free port> in a thread."""

    handler: type[BaseHTTPRequestHandler]

    def start(self):
        handler = self.make_handler()
        self._server = QuietServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError
