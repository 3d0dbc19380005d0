"""Twilio's Messages API on loopback: every request is checked against Twilio's own OpenAPI description.

Violations (unknown fields, missing required ones, bad formats, wrong auth) are recorded and answered
with 400, so a test that sends something Twilio would reject fails.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs

from tests.fakes.http import LoopbackServer

# A copy of Twilio's own description (MIT, see tests/specs/TWILIO-OAI-LICENSE), so tests need nothing outside the repo.
SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "twilio_api_v2010.json"
MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"


@cache
def create_message_operation() -> tuple[dict, dict, list[str]]:
    """(path parameter schemas, form property schemas, required fields) of CreateMessage."""
    spec = json.loads(SPEC_PATH.read_text())
    operation = spec["paths"][MESSAGES_PATH]["post"]
    assert operation["operationId"] == "CreateMessage"
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    path_params = {param["name"]: param["schema"] for param in operation["parameters"] if param["in"] == "path"}
    return path_params, form["properties"], form.get("required", [])


def schema_violations(name: str, values: list[str], schema: dict) -> list[str]:
    """What is wrong with one form field by its schema (type, length, pattern, enum, array-ness)."""
    problems = []
    if schema.get("type") != "array" and len(values) > 1:
        problems.append(f"{name} given {len(values)} times")
    item_schema = schema.get("items", schema) if schema.get("type") == "array" else schema
    for value in values:
        if "minLength" in item_schema and len(value) < item_schema["minLength"]:
            problems.append(f"{name} shorter than {item_schema['minLength']}")
        if "maxLength" in item_schema and len(value) > item_schema["maxLength"]:
            problems.append(f"{name} longer than {item_schema['maxLength']}")
        if "pattern" in item_schema and not re.search(item_schema["pattern"], value):
            problems.append(f"{name} does not match {item_schema['pattern']}")
        if "enum" in item_schema and value not in item_schema["enum"]:
            problems.append(f"{name} not one of {item_schema['enum']}")
        if item_schema.get("type") == "integer" and not value.lstrip("-").isdigit():
            problems.append(f"{name} is not an integer")
        if item_schema.get("format") == "uri" and not re.match(r"^https?://", value):
            problems.append(f"{name} is not a URI")
    return problems


@dataclass
class Scripted:
    """An answer the fake gives instead of 201."""

    status: int
    code: int | None = None
    message: str = "scripted failure"
    retry_after: int | None = None


@dataclass
class FakeTwilio(LoopbackServer):
    """Set `account_sid`/`auth_token`; script answers with `fail_next` or `fail_for`; read `messages`."""

    account_sid: str = "AC" + "0" * 32
    auth_token: str = "test-auth-token"
    delay: float = 0.0
    messages: list[dict] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    scripted: list[Scripted] = field(default_factory=list)
    per_recipient: dict[str, Scripted] = field(default_factory=dict)
    arrival_times: list[float] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        create_message_operation()  # parse the 1.8 MB spec now, not inside the first request

    def fail_next(self, status: int, code: int | None = None, *, times: int = 1, retry_after: int | None = None):
        self.scripted.extend(Scripted(status, code, retry_after=retry_after) for _ in range(times))

    def fail_for(self, to: str, status: int, code: int | None = None) -> None:
        self.per_recipient[to] = Scripted(status, code)

    def make_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                fake.handle(self)

            def log_message(self, *args):
                pass

        return Handler

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()  # when the request reached "Twilio", before any work of the fake's
        path_params, properties, required = create_message_operation()
        match = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/Messages\.json", request.path)
        body = request.rfile.read(int(request.headers.get("Content-Length", 0))).decode()
        problems = []
        if not match:
            return self._reply(
                request,
                404,
                {"code": 20404, "message": "not found", "status": 404},
                problems=[f"unknown path {request.path}"],
            )
        account = match.group(1)
        problems += schema_violations("AccountSid", [account], path_params["AccountSid"])
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected or account != self.account_sid:
            return self._reply(
                request, 401, {"code": 20003, "message": "Authenticate", "status": 401}, problems=["bad Basic auth"]
            )
        if not request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            problems.append("body is not form-encoded")
        form = parse_qs(body, keep_blank_values=True)
        problems += [f"unknown field {name}" for name in form if name not in properties]
        problems += [f"missing required {name}" for name in required if name not in form]
        for name, values in form.items():
            if name in properties:
                problems += schema_violations(name, values, properties[name])
        if ("From" in form) == ("MessagingServiceSid" in form):
            problems.append("exactly one of From and MessagingServiceSid is required")
        if not any(name in form for name in ("Body", "ContentSid", "MediaUrl")):
            problems.append("one of Body, ContentSid or MediaUrl is required")
        if "ContentVariables" in form:
            try:
                json.loads(form["ContentVariables"][0])
            except ValueError:
                problems.append("ContentVariables is not JSON")
        if problems:
            return self._reply(
                request, 400, {"code": 21600, "message": "; ".join(problems), "status": 400}, problems=problems
            )
        time.sleep(self.delay)
        fields = {name: values[0] for name, values in form.items()}
        with self._lock:
            self.arrival_times.append(arrived)
            scripted = self.per_recipient.get(fields["To"]) or (self.scripted.pop(0) if self.scripted else None)
            if scripted is None:
                sid = "SM" + secrets.token_hex(16)
                self.messages.append({**fields, "Sid": sid})
        if scripted is not None:
            headers = {"Retry-After": str(scripted.retry_after)} if scripted.retry_after else {}
            return self._reply(
                request,
                scripted.status,
                {"code": scripted.code, "message": scripted.message, "status": scripted.status},
                headers=headers,
            )
        self._reply(
            request,
            201,
            {
                "sid": sid,
                "account_sid": account,
                "to": fields["To"],
                "from": fields.get("From"),
                "body": fields.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": "Fri, 27 Nov 2026 10:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            },
        )

    def _reply(self, request, status: int, payload: dict, *, problems=(), headers=None) -> None:
        if problems:
            with self._lock:
                self.violations.extend(problems)
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)
