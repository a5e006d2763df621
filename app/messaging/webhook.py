"""Reading a Twilio webhook safely: size, encoding, signature, then fields.

The signature (X-Twilio-Signature) is checked with the SDK's RequestValidator against the URL
Twilio called. Behind a proxy the app cannot see that URL, so it is built from PUBLIC_BASE_URL
+ the request path (+ query string), which must be the URL configured in Twilio's console.
(With PROXY_COUNT set, ProxyFix also corrects request.url; PUBLIC_BASE_URL is still what we
sign against, so a misconfigured proxy cannot make a forged request pass.)

The token is TWILIO_AUTH_TOKEN. With the console or notify backend and no token (development,
training, or a council on GOV.UK Notify), a token derived from SECRET_KEY is used, so the phone
simulator can sign its requests exactly as Twilio would: it talks to the same conversation
engine whichever provider is set, and its replies come back in the TwiML, never to a real
phone. With the twilio backend and no token, every request is refused.

Order of checks: too big (413) before reading, bytes that are not UTF-8 or a form that is not
urlencoded (400), bad or missing signature (403), then missing fields (400). The body is parsed
strictly here rather than by werkzeug, which would quietly replace bad bytes: what we validate
the signature against is exactly what we act on. Bodies are never logged.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlparse

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator, add_port, remove_port
from werkzeug.datastructures import MultiDict

SIGNATURE_HEADER = "X-Twilio-Signature"


def signed(view):
    """Mark a view as checked by its provider's proof (Twilio's signature, Notify's bearer
    token) instead of a CSRF token or a sign-in.

    The role walk and the bad-input tests read this mark: such a view answers 403 to anything
    its provider did not sign, whoever asks.
    """
    view.provider_signed = True
    return view


def auth_token() -> str | None:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if token:
        return token
    if current_app.config["SMS_BACKEND"] in ("console", "notify"):
        secret = current_app.config["SECRET_KEY"].encode()
        return hmac.new(secret, b"belonging sms simulator", hashlib.sha256).hexdigest()
    return None


def public_url(path: str, query_string: str = "") -> str:
    url = current_app.config["PUBLIC_BASE_URL"] + path
    return f"{url}?{query_string}" if query_string else url


def sign(url: str, params: dict[str, str]) -> str:
    token = auth_token()
    if token is None:
        raise RuntimeError("No Twilio auth token is configured")
    return RequestValidator(token).compute_signature(url, params)


def signature_valid(token: str, url: str, params: MultiDict, signature: str) -> bool:
    """The SDK's check (``RequestValidator.validate``), computing one signature where it
    computes two: Twilio signs the URL without its port or, now and then, with it, so the form
    without is tried first and the other only if that fails; compared in constant time."""
    validator = RequestValidator(token)
    parsed = urlparse(url)
    given = signature.encode()  # bytes: compare_digest refuses a str that is not ASCII
    return any(
        hmac.compare_digest(validator.compute_signature(candidate, params).encode(), given)
        for candidate in (remove_port(parsed), add_port(parsed))
    )


def signed_form(required: tuple[str, ...]) -> MultiDict:
    """The webhook's parameters, once they pass every check (or abort with 4xx)."""
    limit = current_app.config["SMS_MAX_REQUEST_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        abort(413)
    if request.mimetype not in ("application/x-www-form-urlencoded", ""):
        abort(400)
    try:
        pairs = parse_qsl(
            raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        abort(400)
    params = MultiDict(pairs)
    token = auth_token()
    signature = request.headers.get(SIGNATURE_HEADER, "")
    query = request.query_string.decode("ascii", "replace")
    if not token or not signature:
        abort(403)
    if not signature_valid(token, public_url(request.path, query), params, signature):
        abort(403)
    if any(not params.get(name) for name in required):
        abort(400)
    return params
