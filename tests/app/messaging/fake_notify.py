"""A fake GOV.UK Notify API for the tests: a small threaded HTTP server on 127.0.0.1.

It answers POST /v2/notifications/{sms,email,letter} as Notify does (201 and a JSON body with
the notification's id and reference) after checking the JWT the real client sends: HS256,
signed with the API key's secret, ``iss`` the service id. A bad token gets Notify's 403
AuthError. ``fail_with`` maps a phone number or email address (or "letter") to the (status,
error, message) Notify would answer instead, e.g. (429, "RateLimitError", ...).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
    def __init__(self, fail_with: dict[str, tuple[int, str, str]] | None = None):
        self.sent: list[tuple[str, dict]] = []  # (sms/email/letter, request body)
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
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, authorization: str, kind: str, body: dict) -> tuple[int, dict]:
        scheme, _, token = authorization.partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            assert scheme == "Bearer" and claims["iss"] == SERVICE_ID and "iat" in claims
        except (jwt.PyJWTError, AssertionError, KeyError):
            with self.lock:
                self.refused_tokens += 1
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
        return 201, {"id": notification_id, "reference": body.get("reference"), "content": {}}

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
