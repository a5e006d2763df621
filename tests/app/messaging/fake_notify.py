"""A fake GOV.UK Notify API for the tests: a small threaded HTTP server on 127.0.0.1.

It answers POST /v2/notifications/{sms,email,letter} as Notify does (201 and a JSON body with
the notification's id and reference) after checking the JWT the real client sends: HS256,
signed with the API key's secret, ``iss`` the service id. A bad token gets Notify's 403
AuthError. ``fail_with`` maps a phone number or email address (or "letter") to the (status,
error, message) Notify would answer instead, e.g. (429, "RateLimitError", ...). ``stall`` names
recipients (or "letter") whose notification is accepted and then answered only after
``stall_seconds``, so a client with a shorter timeout gives up on a message Notify holds.
GET /v2/notifications lists what was accepted, filtered by ``reference`` and ``template_type``
as Notify's own list is.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"belonging_test-{SERVICE_ID}-{SECRET}"
CALLBACK_TOKEN = "notify-callback-token-0123456789"
SMS_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE = "e2bd8f4e-6a2b-4d7c-8a7e-0d9f3a1b5c6d"


def settings(fake: FakeNotify, **backends) -> dict:
    """App settings that send through this fake."""
    return {
        "NOTIFY_API_KEY": API_KEY,
        "NOTIFY_BASE_URL": fake.url,
        "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
        "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
        "NOTIFY_CALLBACK_TOKEN": CALLBACK_TOKEN,
        **backends,
    }


class FakeNotify:
    def __init__(
        self,
        fail_with: dict[str, tuple[int, str, str]] | None = None,
        *,
        stall: set[str] | None = None,
        stall_seconds: float = 0.0,
    ):
        self.sent: list[tuple[str, dict]] = []  # (sms/email/letter, request body)
        self.ids: list[str] = []  # the id of each of ``sent``
        self.stall, self.stall_seconds = stall or set(), stall_seconds
        self.lookups = 0
        self.refused_tokens = 0
        self.fail_with = fail_with or {}
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                kind = self.path.rsplit("/", 1)[-1]
                status, answer = fake.answer(self.headers.get("Authorization", ""), kind, body)
                recipient = body.get("phone_number") or body.get("email_address") or "letter"
                if status == 201 and recipient in fake.stall:
                    time.sleep(fake.stall_seconds)  # accepted, but the answer comes too late
                self._reply(status, answer)

            def do_GET(self):
                path, _, query = self.path.partition("?")
                if path != "/v2/notifications":
                    return self._reply(404, _error(404, "NotFound", "Not found"))
                if not fake.token_ok(self.headers.get("Authorization", "")):
                    return self._reply(403, _error(403, "AuthError", "Invalid token"))
                arguments = dict(parse_qsl(query))
                self._reply(200, {"notifications": fake.listed(**arguments), "links": {}})

            def _reply(self, status: int, answer: dict) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The client may have given up waiting (``stall``).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def token_ok(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            assert scheme == "Bearer" and claims["iss"] == SERVICE_ID and "iat" in claims
        except (jwt.PyJWTError, AssertionError, KeyError):
            with self.lock:
                self.refused_tokens += 1
            return False
        return True

    def answer(self, authorization: str, kind: str, body: dict) -> tuple[int, dict]:
        if not self.token_ok(authorization):
            return 403, _error(403, "AuthError", "Invalid token: signature, api token not found")
        recipient = body.get("phone_number") or body.get("email_address") or "letter"
        if recipient in self.fail_with:
            status, error, message = self.fail_with[recipient]
            return status, _error(status, error, message)
        if kind == "letter":
            pdf = base64.b64decode(body["content"])
            if not pdf.startswith(b"%PDF"):
                return 400, _error(400, "ValidationError", "Letter content is not a valid PDF")
        with self.lock:
            notification_id = str(uuid.UUID(int=next(self._ids)))
            self.sent.append((kind, body))
            self.ids.append(notification_id)
        return 201, {"id": notification_id, "reference": body.get("reference"), "content": {}}

    def listed(self, reference: str = "", template_type: str = "", **_ignored) -> list[dict]:
        with self.lock:
            self.lookups += 1
            found = list(zip(self.ids, self.sent, strict=True))
        return [
            {"id": i, "reference": body.get("reference"), "type": kind}
            for i, (kind, body) in found
            if (not reference or body.get("reference") == reference)
            and (not template_type or kind == template_type)
        ]

    def of(self, kind: str) -> list[dict]:
        return [body for k, body in self.sent if k == kind]

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _error(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}
