"""A Telegram Bot API server on loopback, enough for python-telegram-bot's Bot: getMe, sendMessage, and friends."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from tests.fakes.http import LoopbackServer

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "ClickPay",
    "username": "clickpay_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class FakeTelegram(LoopbackServer):
    """Records every call in `calls`; chats in `blocked` answer 403 as Telegram does."""

    token: str = "7000001:TEST-token_abcdefghijklmnopqrstuvwxyz"
    calls: list[tuple[str, dict]] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    retry_after: int | None = None

    def __post_init__(self):
        self._lock = threading.Lock()
        self._message_id = 100

    def sent(self, method: str = "sendMessage") -> list[dict]:
        return [params for name, params in self.calls if name == method]

    def make_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake.handle(self)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        return Handler

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path[len(prefix) :]
        raw = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        params = self._params(request.headers.get("Content-Type", ""), raw)
        with self._lock:
            self.calls.append((method, params))
        if method == "getMe":
            return self._reply(request, 200, {"ok": True, "result": BOT_USER})
        if method in ("setWebhook", "deleteWebhook", "answerCallbackQuery"):
            return self._reply(request, 200, {"ok": True, "result": True})
        if method == "sendMessage":
            return self._send_message(request, params)
        self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})

    def _send_message(self, request, params: dict) -> None:
        chat_id = int(params["chat_id"])
        if self.retry_after:
            return self._reply(
                request,
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry later",
                    "parameters": {"retry_after": self.retry_after},
                },
            )
        if chat_id in self.blocked:
            return self._reply(
                request, 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            )
        if not params.get("text"):
            return self._reply(
                request, 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            )
        with self._lock:
            self._message_id += 1
            message_id = self._message_id
        self._reply(
            request,
            200,
            {
                "ok": True,
                "result": {
                    "message_id": message_id,
                    "date": 1795000000,
                    "text": params["text"],
                    "chat": {"id": chat_id, "type": "private"},
                    "from": BOT_USER,
                },
            },
        )

    @staticmethod
    def _params(content_type: str, raw: bytes) -> dict:
        if content_type.startswith("application/json"):
            return json.loads(raw or b"{}")
        params = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        for key, value in params.items():
            if value[:1] in ("{", "["):
                params[key] = json.loads(value)
        return params

    @staticmethod
    def _reply(request, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
