"""A biller's system on loopback that receives our outbound webhooks: records each one, answers as told."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.fakes.http import LoopbackServer


@dataclass
class Received:
    """One POST as it arrived: path, headers and the raw body."""

    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.raw)


@dataclass
class WebhookReceiver(LoopbackServer):
    """Answers 500 to the first `fail_first` requests, then `status`; `received` holds every request."""

    fail_first: int = 0
    status: int = 204
    received: list[Received] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")

    def make_handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers.items()), raw))
                failing = len(receiver.received) <= receiver.fail_first
                self.send_response(500 if failing else receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler
