"""Where texts go: one small interface, two backends (SMS_BACKEND in config.py).

``send(to, body, *, status_callback) -> provider_sid`` sends one text or raises:
- TemporarySendError: worth trying again later (HTTP 429 and 5xx, Twilio's 20429 "too many
  requests", network errors). The worker retries with exponential backoff.
- PermanentSendError: trying again cannot help (21211 invalid number, 21610 unsubscribed,
  21614 not a mobile, ...). ``unreachable`` says the number itself is the problem, and the
  worker records it so nothing is queued for it again.

"console" (the default) sends nothing: the text stays in the outbox table, which the outbox page
and the phone simulator show. "twilio" uses the real SDK (twilio.rest.Client) with the account
SID and auth token, and the messaging service SID or a from-number, plus an optional validity
period. Tests reach a fake Twilio server by giving the SDK an ``http_client`` that rewrites the
API host (see tests/surveys/sms/fake_twilio.py); nothing in here knows about tests.

A network error after the request left us is ambiguous (Twilio may have sent it). It is treated
as temporary: a rare duplicate text is better than an invitation silently lost.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from flask import Flask, current_app

log = logging.getLogger(__name__)

TEMPORARY_CODES = {20429, 20500, 20503, 30001, 30008}
# Error codes that say this number cannot get our texts (API errors and delivery receipts).
UNREACHABLE_CODES = {21211, 21214, 21610, 21612, 21614, 30005, 30006}


class SendError(Exception):
    def __init__(self, message: str, code: str = "", *, unreachable: bool = False):
        super().__init__(message)
        self.code = str(code or "")[:16]
        self.unreachable = unreachable


class TemporarySendError(SendError):
    pass


class PermanentSendError(SendError):
    pass


class SmsBackend(Protocol):
    name: str

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> str: ...


class ConsoleBackend:
    """Development and training: the outbox table is the phone. Nothing leaves the machine."""

    name = "console"

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> str:
        log.info("Console SMS to ...%s (%d characters)", to[-3:], len(body))
        return f"console-{uuid.uuid4().hex}"


class TwilioBackend:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        messaging_service_sid: str | None = None,
        from_number: str | None = None,
        validity_period: int | None = None,
        http_client=None,
    ):
        from twilio.rest import Client

        if not (messaging_service_sid or from_number):
            raise ValueError("Set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number
        self.validity_period = validity_period

    def send(self, to: str, body: str, *, status_callback: str | None = None) -> str:
        import requests
        from twilio.base import values
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(
                to=to,
                body=body,
                messaging_service_sid=self.messaging_service_sid or values.unset,
                from_=values.unset if self.messaging_service_sid else self.from_number,
                status_callback=status_callback or values.unset,
                validity_period=self.validity_period or values.unset,
            )
        except TwilioRestException as exc:
            raise classify(exc.status, exc.code, exc.msg) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TemporarySendError(f"Network error: {type(exc).__name__}", "network") from None
        except TwilioException as exc:
            raise TemporarySendError(f"Twilio client error: {exc}", "client") from None
        return message.sid


def classify(status: int | None, code: int | None, message: str = "") -> SendError:
    """Turn an HTTP status and Twilio error code into a temporary or permanent error."""
    label = str(code or status or "")
    if (status or 0) == 429 or (status or 0) >= 500 or code in TEMPORARY_CODES:
        return TemporarySendError(message or "Twilio is busy", label)
    return PermanentSendError(
        message or "Twilio refused the text", label, unreachable=code in UNREACHABLE_CODES
    )


def backend_from_config(app: Flask) -> SmsBackend:
    config = app.config
    if config["SMS_BACKEND"] == "twilio":
        return TwilioBackend(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
            from_number=config.get("TWILIO_FROM_NUMBER"),
            validity_period=config.get("TWILIO_VALIDITY_PERIOD"),
        )
    if config["SMS_BACKEND"] == "console":
        return ConsoleBackend()
    raise ValueError(f"Unknown SMS_BACKEND {config['SMS_BACKEND']!r}: use console or twilio")


def get_backend() -> SmsBackend:
    """The app's backend (one per app; tests may put their own in app.core.extensions)."""
    # current_app is typed as Flask, but it is a proxy: the app behind it keeps the backend.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions.get("sms_backend")
    if backend is None:
        backend = app.extensions["sms_backend"] = backend_from_config(app)
    return backend
