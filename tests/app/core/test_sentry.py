"""Errors to staff: the Sentry scrubber removes answers, phone numbers, codes, request bodies
and cookies; and a real event from the SDK reaches a local fake Sentry already scrubbed."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import sentry_sdk
from flask import request

from app.core.sentry import scrub
from app.staff.auth.access import public
from tests.conftest import build_app

ANSWER, MOBILE, CODE, RESUME = "I feel unsafe at home", "07700 900123", "AB12CD34", "RESUME99"
SECRETS = ("07700 900123", "+447700900456", "AB12CD34", "RESUME99", "I feel unsafe at home")


def realistic_event() -> dict:
    return {
        "level": "error",
        "message": "Could not text +447700900456 for code=RESUME99",
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": "bad answer 'I feel unsafe at home' from 07700 900123",
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "question",
                                "filename": "surveys/web/routes.py",
                                "vars": {"answer": "'I feel unsafe at home'", "code": "'Q7'"},
                            }
                        ]
                    },
                }
            ]
        },
        "request": {
            "url": "https://survey.example.gov.uk/i/AB12CD34",
            "method": "POST",
            "data": {"text": "I feel unsafe at home", "mobile": "07700 900123"},
            "cookies": {"belonging_session": "eyJzZWNyZXQi"},
            "query_string": "code=RESUME99",
            "headers": {
                "Cookie": "belonging_session=eyJzZWNyZXQi",
                "User-Agent": "Mozilla/5.0",
                "X-Forwarded-For": "203.0.113.7",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            "env": {"REMOTE_ADDR": "203.0.113.7"},
        },
        "user": {"id": "7", "ip_address": "203.0.113.7", "email": "worker@example.org"},
        "extra": {"body": "I feel unsafe at home"},
        "breadcrumbs": {
            "values": [
                {"message": "GET /i/AB12CD34", "data": {"url": "/i/AB12CD34"}},
                {"category": "log", "message": "Console SMS to 07700 900123"},
            ]
        },
    }


def test_the_scrubber_leaves_no_answer_number_code_body_cookie_or_address():
    event = scrub(realistic_event(), None)
    text = json.dumps(event)
    for secret in (*SECRETS, "eyJzZWNyZXQi", "203.0.113.7", "worker@example.org", "Mozilla"):
        assert secret not in text, secret
    # What staff need to find the fault is still there.
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["exception"]["values"][0]["stacktrace"]["frames"][0]["function"] == "question"
    assert event["request"]["url"] == "https://survey.example.gov.uk/i/[code]"
    assert event["request"]["headers"] == {"Content-Type": "application/x-www-form-urlencoded"}
    assert event["user"] == {"id": "7"}


class FakeSentry:
    """Sentry's envelope endpoint on 127.0.0.1: keeps every envelope it is sent, as text."""

    def __init__(self):
        self.envelopes: list[str] = []
        self.arrived = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                elif self.headers.get("Content-Encoding") == "br":
                    body = brotli.decompress(body)
                fake.envelopes.append(body.decode("utf-8", "replace"))
                fake.arrived.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://public@127.0.0.1:{self.server.server_address[1]}/1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_real_error_reaches_sentry_scrubbed(database_uri):
    fake = FakeSentry()
    app = build_app(database_uri, SENTRY_DSN=fake.dsn, PROPAGATE_EXCEPTIONS=False)

    @app.post("/i/<code>/boom")
    @public
    def boom(code):  # a fault in a public route, holding an answer and a number
        answer, mobile = request.form["text"], request.form["mobile"]
        raise RuntimeError(f"could not save {answer!r} for {mobile}")

    try:
        response = app.test_client().post(
            f"/i/{CODE}/boom?code={RESUME}",
            data={"text": ANSWER, "mobile": MOBILE},
            headers={"Cookie": "belonging_session=eyJzZWNyZXQi"},
        )
        assert response.status_code == 500
        sentry_sdk.flush(timeout=5)
        assert fake.arrived.wait(5), "no event reached the fake Sentry"
    finally:
        sentry_sdk.get_client().close()
        fake.server.shutdown()
    sent = "\n".join(fake.envelopes)
    assert "RuntimeError" in sent
    for secret in (*SECRETS, "eyJzZWNyZXQi"):
        assert secret not in sent, secret
