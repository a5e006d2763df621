"""What Twilio looks like from our side, for the SMS tests: signed webhooks and a fake API.

- ``Phone`` posts texts to the inbound webhook the way Twilio does: form-encoded parameters
  signed with the SDK's own RequestValidator and a test auth token.
- ``FakeTwilio`` is a small threaded HTTP server on 127.0.0.1 that answers the Messages API like
  Twilio (a JSON message with a unique SID, after ``delay`` seconds, as a slow Twilio would) and
  records every text it is asked to send, with the time it arrived, counted by our reference
  (the ``ref`` in its status callback URL). It also lists the messages it holds for a number
  (``GET Messages.json?To=``), newest first, which is how the worker asks whether an earlier
  attempt got through. ``LocalTwilioHttpClient`` is the SDK's own HTTP client, pointed at it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TEST_ACCOUNT_SID = "AC" + "0" * 32
BASE_URL = "http://localhost"  # TestConfig.PUBLIC_BASE_URL
INBOUND = "/sms/twilio/inbound"
STATUS = "/sms/twilio/status"


def signature(url: str, params: dict, token: str = TEST_AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def replies(response) -> list[str]:
    root = ET.fromstring(response.get_data(as_text=True))  # noqa: S314 - our own reply
    return [m.text or "" for m in root.iter("Message")]


class Phone:
    """One pretend mobile texting the survey through the signed webhook."""

    _sids = itertools.count(1)

    def __init__(self, client, number: str = "+447700900123"):
        self.client = client
        self.number = number

    def post(self, params: dict, *, path: str = INBOUND, sign_with: str = TEST_AUTH_TOKEN):
        headers = {"X-Twilio-Signature": signature(BASE_URL + path, params, sign_with)}
        return self.client.post(path, data=params, headers=headers)

    def params(self, body: str, sid: str | None = None, **extra) -> dict:
        return {
            "MessageSid": sid or f"SM{next(self._sids):032d}",
            "AccountSid": TEST_ACCOUNT_SID,
            "From": self.number,
            "To": "+447700900000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def text(self, body: str, sid: str | None = None, **extra):
        response = self.post(self.params(body, sid, **extra))
        assert response.status_code == 200, (body, response.status_code)
        return response

    def say(self, body: str) -> str:
        """Text ``body`` and return the reply as one string."""
        return "\n".join(replies(self.text(body)))


# --- A fake Twilio API --------------------------------------------------------------------


class FakeTwilio:
    """Records POSTs to /2010-04-01/Accounts/<sid>/Messages.json; answers like Twilio."""

    def __init__(self, fail_with: dict[str, tuple[int, int]] | None = None, delay: float = 0.0):
        self.sent: list[tuple[float, dict]] = []
        self.by_reference: Counter[str] = Counter()  # our message id -> texts sent for it
        self.held: dict[str, list[dict]] = {}  # to-number -> messages, as Twilio lists them
        self.lock = threading.Lock()
        self.fail_with = fail_with or {}  # to-number -> (HTTP status, Twilio code)
        self.delay = delay
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each reply waits on a delayed ACK (40 ms)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                form = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
                arrived = time.monotonic()
                failure = fake.fail_with.get(form.get("To", ""))
                if len(raw) < length or not form.get("To") or not form.get("Body"):
                    # Cut short (a worker killed with kill -9 between the headers and the
                    # body) or incomplete: Twilio refuses it and sends nothing.
                    self._answer(400, {"status": 400, "code": 21604, "message": "incomplete"})
                    return
                if failure:
                    status, code = failure
                    body = {"status": status, "code": code, "message": "refused"}
                else:
                    status = 201
                    reference = parse_qs(urlsplit(form.get("StatusCallback", "")).query)
                    with fake.lock:
                        sid = f"SM{next(fake._ids):032x}"
                        fake.sent.append((arrived, form))
                        fake.by_reference[reference.get("ref", [""])[0]] += 1
                        body = {
                            "sid": sid,
                            "status": "queued",
                            "to": form.get("To"),
                            "body": form.get("Body", ""),
                            # No date_created: the fake keeps no clock (the workers' is real,
                            # the test's is frozen); the worker accepts a message without one.
                        }
                        fake.held.setdefault(form.get("To", ""), []).insert(0, body)
                if fake.delay:
                    time.sleep(fake.delay)  # a slow Twilio: accepted, but the answer is late
                self._answer(status, body)

            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                with fake.lock:
                    messages = list(fake.held.get(query.get("To", [""])[0], []))
                self._answer(200, {"messages": messages, "next_page_uri": None, "page": 0})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # A worker killed while waiting for the answer has closed its end.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilio:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def http_client(self) -> TwilioHttpClient:
        return LocalTwilioHttpClient(f"http://127.0.0.1:{self.port}")


class LocalTwilioHttpClient(TwilioHttpClient):
    """The SDK's HTTP client, sending to the fake server instead of api.twilio.com."""

    def __init__(self, base: str):
        super().__init__(timeout=10)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        url = url.replace("https://api.twilio.com", self.base)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture(name="app")
def twilio_app(database_uri: str):
    """The app with this fake Twilio's credentials, for a test file that texts it: import
    ``twilio_app`` there and it stands in for the suite's ``app`` fixture."""
    # Imported here, not at the top: tests.conftest is what most of this module's users import
    # first, and this module must stay importable without it (the smoke test uses the fakes).
    from app.core.extensions import db
    from tests.conftest import build_app

    app = build_app(
        database_uri, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN, TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
