"""What the benchmarks send, as a browser or Twilio would: plain HTTP to a gunicorn server.

- ``fetch``, ``session_cookie`` and ``start_survey``: a browser starting the bench round's survey
  (round ``SLUG``), its session cookie carrying the in-progress response;
- ``signed_text`` and ``signed_texts``: Twilio's inbound text, signed with the account's token
  (``TOKEN``, which the bench app is given) by the SDK's RequestValidator.
"""

from __future__ import annotations

import functools
import http.client
import itertools
import re
import urllib.parse
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

from tests.bench.harness import Request, Server

SLUG = "bench26"
TOKEN = "bench-auth-token"
URL = "http://localhost/sms/twilio/inbound"  # TestConfig's PUBLIC_BASE_URL + the path
# Blocks of valid UK mobile numbers (phonenumbers), one per load, so every text gets a reply: a
# number that is not a mobile we can text is never answered, which would measure nothing.
MOBILE_BLOCKS = {1: "+447400", 2: "+447500", 3: "+447800", 4: "+447900", 5: "+447300"}


# --- A browser ---------------------------------------------------------------------------------


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(server: Server, method: str, path: str, headers=None, body=None) -> Fetched:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Fetched(response.status, response.headers, response.read())
    finally:
        conn.close()


def session_cookie(fetched: Fetched, name: str = "belonging_session") -> str:
    for header in fetched.headers.get_all("Set-Cookie") or []:
        pair = header.split(";", 1)[0]
        if pair.startswith(f"{name}="):
            return pair
    raise AssertionError(f"no {name} cookie in the response")


def start_survey(server: Server) -> str:
    """Start answering as a browser would; return the Cookie header of an in-progress response."""
    page = fetch(server, "GET", f"/s/{SLUG}")
    assert page.status == 200, page.status
    cookie = session_cookie(page)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body)
    assert match, "no csrf_token in the start page form"
    form = urllib.parse.urlencode({"csrf_token": match.group(1).decode()})
    started = fetch(
        server,
        "POST",
        f"/s/{SLUG}/start",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body=form,
    )
    assert started.status == 302, (started.status, started.body[:500])
    return session_cookie(started)


# --- Twilio ------------------------------------------------------------------------------------


def signed_text(body: str, from_number: str, sid: str) -> Request:
    """One inbound text as Twilio posts it: form fields signed with the account's token."""
    params = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": from_number,
        "To": "+447700900000",
        "Body": body,
        "NumMedia": "0",
    }
    return Request(
        "POST",
        "/sms/twilio/inbound",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": _validator(TOKEN).compute_signature(URL, params),
        },
        body=urllib.parse.urlencode(params).encode(),
    )


@functools.cache
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def signed_texts(body: str, prefix: int):
    """A builder of ``body`` texts, each with a new MessageSid from a new number."""
    counter = itertools.count()

    def build() -> Request:
        n = next(counter)
        number = f"{MOBILE_BLOCKS[prefix]}{n % 1_000_000:06d}"
        return signed_text(body, number, f"SM{prefix:04d}{n:028d}")

    return build
