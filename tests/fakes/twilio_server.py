"""Twilio's Messages API on loopback (CreateMessage, ListMessage), checked against Twilio's own OpenAPI description.

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
from datetime import UTC, datetime
from email.utils import format_datetime
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


@cache
def list_message_operation() -> tuple[dict, set[str]]:
    """(query parameter schemas, properties of one message in the answer) of ListMessage."""
    spec = json.loads(SPEC_PATH.read_text())
    operation = spec["paths"][MESSAGES_PATH]["get"]
    assert operation["operationId"] == "ListMessage"
    query = {param["name"]: param["schema"] for param in operation["parameters"] if param["in"] == "query"}
    message = spec["components"]["schemas"]["api.v2010.account.message"]["properties"]
    return query, set(message)


def parse_date_time(value: str) -> datetime | None:
    """An ISO 8601 instant as the SDK sends it (2026-11-25T05:30:00Z), or None when it is not one."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


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
        self._sent_at: dict[str, datetime] = {}
        create_message_operation()  # parse the 1.8 MB spec now, not inside the first request
        list_message_operation()

    def fail_next(self, status: int, code: int | None = None, *, times: int = 1, retry_after: int | None = None):
        self.scripted.extend(Scripted(status, code, retry_after=retry_after) for _ in range(times))

    def fail_for(self, to: str, status: int, code: int | None = None) -> None:
        self.per_recipient[to] = Scripted(status, code)

    def make_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API: a sender reuses its connections
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait for the client's ACK

            def do_POST(self):
                fake.handle(self)

            def do_GET(self):
                fake.handle_list(self)

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
                self._sent_at[sid] = datetime.now(UTC)
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

    def handle_list(self, request: BaseHTTPRequestHandler) -> None:
        """ListMessage: the messages sent to `To` (and after `DateSent>`), newest first, in one page."""
        query_schemas, message_properties = list_message_operation()
        path, _, query_string = request.path.partition("?")
        match = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/Messages\.json", path)
        if not match:
            return self._reply(request, 404, {"code": 20404, "message": "not found", "status": 404}, problems=[path])
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected or match.group(1) != self.account_sid:
            return self._reply(
                request, 401, {"code": 20003, "message": "Authenticate", "status": 401}, problems=["bad Basic auth"]
            )
        query = parse_qs(query_string, keep_blank_values=True)
        problems = [f"unknown query parameter {name}" for name in query if name not in query_schemas]
        for name, values in query.items():
            if name in query_schemas:
                problems += schema_violations(name, values, query_schemas[name])
                if query_schemas[name].get("format") == "date-time" and parse_date_time(values[0]) is None:
                    problems.append(f"{name} is not a date-time")
        if problems:
            return self._reply(
                request, 400, {"code": 21600, "message": "; ".join(problems), "status": 400}, problems=problems
            )
        after = parse_date_time(query["DateSent>"][0]) if "DateSent>" in query else None
        with self._lock:
            found = [
                (message, self._sent_at[message["Sid"]])
                for message in self.messages
                if message["To"] == query.get("To", [message["To"]])[0]
                and (after is None or self._sent_at[message["Sid"]] >= after)
            ]
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        records = [self._resource(message, sent_at) for message, sent_at in reversed(found)]
        assert all(set(record) <= message_properties for record in records)
        self._reply(
            request,
            200,
            {
                "messages": records,
                "end": max(len(records) - 1, 0),
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": len(records),
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            },
        )

    def _resource(self, message: dict, sent_at: datetime) -> dict:
        """A sent message as Twilio's API shows it."""
        stamp = format_datetime(sent_at)
        return {
            "sid": message["Sid"],
            "account_sid": self.account_sid,
            "to": message["To"],
            "from": message.get("From"),
            "messaging_service_sid": message.get("MessagingServiceSid"),
            "body": message.get("Body"),
            "status": "sent",
            "num_segments": "1",
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message['Sid']}.json",
        }

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
